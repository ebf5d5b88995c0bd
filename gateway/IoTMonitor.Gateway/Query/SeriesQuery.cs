using System.Globalization;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Query;

/// <summary>What a series request asks for, checked.</summary>
/// <param name="Sites">Sites to include; empty = all.</param>
public sealed record SeriesRequest(IReadOnlyList<string> Sites, string? Device, Quantity Quantity, long From, long To, long WindowSeconds, string Aggregate);

/// <summary>One (site, device) series: points are [time (Unix s, start of window), value].</summary>
public sealed record SeriesResult(string Site, string Device, List<double[]> Points);

/// <summary>
/// Windowed aggregates of one quantity via InfluxQL:
/// <c>SELECT {agg}(value) FROM {domain} WHERE quantity=… AND site… AND time in [from, to) GROUP BY
/// time({window}), site, device fill(none)</c>. Windows are aligned to the epoch (InfluxDB's
/// <c>GROUP BY time</c>), so the first may start before <c>from</c>; it holds only points in range.
/// </summary>
public sealed class SeriesQuery(InfluxQueryClient influx, QueryOptions options)
{
    public QueryOptions Options => options;

    /// <summary>Refuses a request whose answer could exceed <c>Query:MaxPoints</c>, before asking InfluxDB.</summary>
    public void CheckSize(SeriesRequest request, int seriesCount)
    {
        var windows = (request.To - request.From + request.WindowSeconds - 1) / request.WindowSeconds + 1;
        var points = windows * Math.Max(1, seriesCount);
        if (points > options.MaxPoints)
        {
            throw new BadQueryException(string.Create(
                CultureInfo.InvariantCulture,
                $"this would return up to {points} points ({windows} windows × {Math.Max(1, seriesCount)} series), more than Query:MaxPoints ({options.MaxPoints}): narrow the range or widen the window"));
        }
    }

    public static string Statement(SeriesRequest r)
    {
        var where = new List<string>
        {
            "quantity = " + InfluxQueryClient.Literal(r.Quantity.Name),
        };
        if (r.Sites.Count == 1)
        {
            where.Add("site = " + InfluxQueryClient.Literal(r.Sites[0]));
        }
        else if (r.Sites.Count > 1)
        {
            // ids are [a-z0-9_-] only (checked), so they are safe inside a regex
            where.Add("site =~ /^(" + string.Join("|", r.Sites) + ")$/");
        }

        if (r.Device is not null)
        {
            where.Add("device = " + InfluxQueryClient.Literal(r.Device));
        }

        where.Add(string.Create(CultureInfo.InvariantCulture, $"time >= {r.From}s AND time < {r.To}s"));
        return $"SELECT {r.Aggregate}(value) FROM {InfluxQueryClient.Identifier(r.Quantity.Domain)} WHERE {string.Join(" AND ", where)} GROUP BY time({QueryParameters.Duration(r.WindowSeconds)}), site, device fill(none)";
    }

    public async Task<List<SeriesResult>> RunAsync(SeriesRequest request, CancellationToken cancellationToken)
    {
        var list = new List<SeriesResult>();
        foreach (var s in await influx.QueryAsync(Statement(request), cancellationToken).ConfigureAwait(false))
        {
            var points = new List<double[]>(s.Rows.Count);
            foreach (var row in s.Rows)
            {
                if (InfluxQueryClient.AsDouble(row[1]) is { } v)
                {
                    points.Add([InfluxQueryClient.AsLong(row[0]), v]);
                }
            }

            list.Add(new SeriesResult(s.Tag("site"), s.Tag("device"), points));
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Site + "/" + a.Device, b.Site + "/" + b.Device));
        return list;
    }
}
