using System.Globalization;
using IoTMonitor.Gateway.Query;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>
/// Min/avg/max per quantity and period from InfluxDB (InfluxQL through the query stage's client),
/// periods aligned to local midnight of the configured offset. Only readings a platform may count
/// enter: flags without OUT_OF_RANGE, STUCK, NO_VALUE, WARMING_UP, SENSOR_FAULT (UNCALIBRATED and
/// TIME_ESTIMATED may be set) — the flags are listed as values because InfluxQL 1.x has no bit test.
/// </summary>
public sealed class Hj212AggregateSource(InfluxQueryClient influx, Hj212Time time)
{
    /// <summary>The WHERE clause of the readings the aggregates count.</summary>
    public const string ValidFlags = ValidReadings.Where;

    /// <summary>Aggregates of the site's periods of <paramref name="periodSeconds"/> starting in [<paramref name="from"/>, <paramref name="to"/>), by period start.</summary>
    public async Task<SortedDictionary<long, List<Hj212Aggregate>>> QueryAsync(string site, long from, long to, long periodSeconds, CancellationToken cancellationToken)
    {
        var offset = (((-(long)time.Offset.TotalSeconds) % periodSeconds) + periodSeconds) % periodSeconds;
        var q = string.Create(CultureInfo.InvariantCulture, $"SELECT min(value), mean(value), max(value) FROM water, soil, air, device WHERE site = {InfluxQueryClient.Literal(site)} AND time >= {from}s AND time < {to}s AND {ValidFlags} GROUP BY time({periodSeconds}s, {offset}s), quantity fill(none)");
        var result = new SortedDictionary<long, List<Hj212Aggregate>>();
        foreach (var s in await influx.QueryAsync(q, cancellationToken).ConfigureAwait(false))
        {
            var quantity = s.Name + "." + s.Tag("quantity");
            foreach (var row in s.Rows)
            {
                if (InfluxQueryClient.AsDouble(row[1]) is not { } min || InfluxQueryClient.AsDouble(row[2]) is not { } avg || InfluxQueryClient.AsDouble(row[3]) is not { } max)
                {
                    continue;
                }

                var start = InfluxQueryClient.AsLong(row[0]);
                if (!result.TryGetValue(start, out var list))
                {
                    result[start] = list = [];
                }

                list.Add(new Hj212Aggregate(quantity, min, avg, max));
            }
        }

        return result;
    }
}
