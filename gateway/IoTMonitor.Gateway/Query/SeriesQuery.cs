using System.Globalization;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Query;

/// <summary>What a series request asks for, checked.</summary>
/// <param name="Sites">Sites to include; empty = all.</param>
public sealed record SeriesRequest(IReadOnlyList<string> Sites, string? Device, Quantity Quantity, long From, long To, long WindowSeconds, string Aggregate);

/// <summary>One point of a series: window start (Unix s) and value.</summary>
public readonly record struct SeriesPoint(long T, double Value);

/// <summary>One (site, device) series, points ascending by window start.</summary>
public sealed record SeriesResult(string Site, string Device, List<SeriesPoint> Points);

/// <summary>Where an answer came from: InfluxQL <c>GROUP BY time</c>, raw points folded by the gateway, or daily rollups.</summary>
public enum SeriesSource
{
    Influx,
    Raw,
    Rollup,
}

/// <summary>
/// Windowed aggregates of one quantity, as InfluxQL's
/// <c>SELECT {agg}(value) FROM {domain} WHERE quantity=… AND site… AND time in [from, to) GROUP BY
/// time({window}), site, device fill(none)</c> answers them. Windows are aligned to the epoch, so the
/// first may start before <c>from</c>; it holds only points in range. Three ways to the same answer:
/// short windows (≤ <c>Query:RawWindowSeconds</c>) fetch the raw points with a per-series LIMIT of
/// twice the window count and fold them here (InfluxDB 1.x builds one bucket per window slowly); if a
/// series has more points than that, the <c>GROUP BY time</c> query runs instead. Whole-day windows come
/// from <see cref="DailyRollup"/> (or, while a long range is still loading there, from the
/// <c>GROUP BY time</c> query). Everything else is the <c>GROUP BY time</c> query.
/// </summary>
public sealed class SeriesQuery(InfluxQueryClient influx, QueryOptions options, DailyRollup rollup)
{
    public QueryOptions Options => options;

    /// <summary>Refuses a request whose answer could exceed <c>Query:MaxPoints</c>, before asking InfluxDB.</summary>
    public void CheckSize(SeriesRequest request, int seriesCount)
    {
        var windows = Windows(request);
        var points = windows * Math.Max(1, seriesCount);
        if (points > options.MaxPoints)
        {
            throw new BadQueryException(string.Create(
                CultureInfo.InvariantCulture,
                $"this would return up to {points} points ({windows} windows × {Math.Max(1, seriesCount)} series), more than Query:MaxPoints ({options.MaxPoints}): narrow the range or widen the window"));
        }
    }

    private static long Windows(SeriesRequest r) => ((r.To - r.From + r.WindowSeconds - 1) / r.WindowSeconds) + 1;

    /// <summary>The WHERE clause: quantity, sites, device and the time range.</summary>
    public static string Where(SeriesRequest r)
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
        return string.Join(" AND ", where);
    }

    public static string Statement(SeriesRequest r) =>
        $"SELECT {r.Aggregate}(value) FROM {InfluxQueryClient.Identifier(r.Quantity.Domain)} WHERE {Where(r)} GROUP BY time({QueryParameters.Duration(r.WindowSeconds)}), site, device fill(none)";

    public static string RawStatement(SeriesRequest r, long limit) =>
        string.Create(CultureInfo.InvariantCulture, $"SELECT value FROM {InfluxQueryClient.Identifier(r.Quantity.Domain)} WHERE {Where(r)} GROUP BY site, device LIMIT {limit}");

    /// <summary>The path <see cref="RunAsync"/> tries first for this request.</summary>
    public SeriesSource Plan(SeriesRequest r) =>
        rollup.Serves(r) ? SeriesSource.Rollup
        : r.WindowSeconds <= options.RawWindowSeconds ? SeriesSource.Raw
        : SeriesSource.Influx;

    public async Task<(List<SeriesResult> Series, SeriesSource Source)> RunAsync(SeriesRequest request, CancellationToken cancellationToken)
    {
        List<SeriesResult>? list = null;
        var source = Plan(request);
        if (source == SeriesSource.Rollup)
        {
            list = await rollup.RunAsync(request, cancellationToken).ConfigureAwait(false);
        }
        else if (source == SeriesSource.Raw)
        {
            list = await RawAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (list is null)
        {
            var wanted = source;
            source = SeriesSource.Influx;
            list = await GroupedAsync(request, cancellationToken).ConfigureAwait(false);
            if (wanted == SeriesSource.Rollup)
            {
                rollup.LoadInBackground(request);
            }
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Site + "/" + a.Device, b.Site + "/" + b.Device));
        return (list, source);
    }

    internal async Task<List<SeriesResult>> GroupedAsync(SeriesRequest request, CancellationToken cancellationToken)
    {
        var list = new List<SeriesResult>();
        foreach (var s in await influx.PointsAsync(Statement(request), cancellationToken).ConfigureAwait(false))
        {
            list.Add(new SeriesResult(s.Tag("site"), s.Tag("device"), s.Points));
        }

        return list;
    }

    /// <summary>Raw points folded into windows here; null when a series has more than twice as many points as windows.</summary>
    internal async Task<List<SeriesResult>?> RawAsync(SeriesRequest request, CancellationToken cancellationToken)
    {
        var limit = 2 * Windows(request);
        var list = new List<SeriesResult>();
        foreach (var s in await influx.PointsAsync(RawStatement(request, limit), cancellationToken).ConfigureAwait(false))
        {
            if (s.Points.Count >= limit)
            {
                return null;
            }

            var points = Fold(s.Points, request.WindowSeconds, request.Aggregate);
            if (points.Count > 0)
            {
                list.Add(new SeriesResult(s.Tag("site"), s.Tag("device"), points));
            }
        }

        return list;
    }

    /// <summary>Folds raw rows [time, value] (ascending time) into epoch-aligned windows as InfluxQL's aggregates do.</summary>
    internal static List<SeriesPoint> Fold(List<SeriesPoint> rows, long window, string aggregate)
    {
        var points = new List<SeriesPoint>();
        var current = long.MinValue;
        double acc = 0;
        long n = 0;
        foreach (var (t, v) in rows)
        {
            var w = t - (((t % window) + window) % window);
            if (w != current)
            {
                if (n > 0)
                {
                    points.Add(new SeriesPoint(current, Result(acc, n, aggregate)));
                }

                current = w;
                acc = v;
                n = 1;
                continue;
            }

            n++;
            acc = aggregate switch
            {
                "mean" => acc + v,
                "min" => Math.Min(acc, v),
                "max" => Math.Max(acc, v),
                "last" => v,
                _ => acc,
            };
        }

        if (n > 0)
        {
            points.Add(new SeriesPoint(current, Result(acc, n, aggregate)));
        }

        return points;

        static double Result(double acc, long n, string aggregate) => aggregate switch
        {
            "mean" => acc / n,
            "count" => n,
            _ => acc,
        };
    }
}
