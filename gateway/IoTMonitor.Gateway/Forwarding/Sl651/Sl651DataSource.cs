using System.Globalization;
using IoTMonitor.Gateway.Query;

namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>What one site measured in a window: rain per reading (wettest gauge), level readings, latest values.</summary>
public sealed record SiteWindow(long From, long To, List<(long T, double Mm)> Rain, bool HasGauge, List<(long T, double Metres)> Level, Dictionary<string, double> Latest)
{
    /// <summary>Rain of the readings sampled in [from, to).</summary>
    public double RainIn(long from, long to) => Rain.Where(r => r.T >= from && r.T < to).Sum(r => r.Mm);

    /// <summary>Whether the gauge sent a reading sampled in [from, to).</summary>
    public bool GaugeReadIn(long from, long to) => Rain.Any(r => r.T >= from && r.T < to);

    /// <summary>The last level reading sampled in [from, to), or null.</summary>
    public double? LastLevelIn(long from, long to) => Level.Where(l => l.T >= from && l.T < to).OrderBy(l => l.T).Select(l => (double?)l.Metres).LastOrDefault();
}

/// <summary>
/// Reads a site's window from InfluxDB (only readings <see cref="ValidReadings"/> admits). Rain comes
/// from <c>rain.total</c> (the gauge's count since its boot began, docs/protocol.md §8 "Rainfall") by the
/// rule the flash-flood ledger uses: a reading's rain is its total minus the total of the previous
/// reading (by sequence number) of the same device and boot, 0 when it went down, its whole total
/// when it is the boot's first; the rain is attributed to the reading's sampling time. A site with
/// several gauges reports the wettest one.
/// </summary>
public sealed class Sl651DataSource(InfluxQueryClient influx)
{
    /// <summary>How far before the window the rain readings are read to find each reading's predecessor.</summary>
    private const long LookbackSeconds = 86400;

    public async Task<SiteWindow> ReadAsync(string site, long from, long to, CancellationToken cancellationToken)
    {
        var s = InfluxQueryClient.Literal(site);
        var rainRows = await influx.QueryAsync(Q($"SELECT value, seq, boot FROM rain WHERE site = {s} AND quantity = 'total' AND {ValidReadings.Where} AND time >= {from - LookbackSeconds}s AND time < {to}s GROUP BY device"), cancellationToken).ConfigureAwait(false);
        var perDevice = new List<List<(long T, double Mm)>>();
        foreach (var series in rainRows)
        {
            var readings = series.Rows
                .Select(r => (T: InfluxQueryClient.AsLong(r[0]), Total: InfluxQueryClient.AsDouble(r[1]), Seq: InfluxQueryClient.AsLong(r[2]), Boot: InfluxQueryClient.AsLong(r[3])))
                .Where(r => r.Total is not null)
                .ToList();
            var increments = new List<(long, double)>();
            foreach (var boot in readings.GroupBy(r => r.Boot))
            {
                var ordered = boot.DistinctBy(r => r.Seq).OrderBy(r => r.Seq).ToList();
                double? previous = null;
                if (ordered.Count > 0 && ordered[0].T >= from)
                {
                    previous = await PredecessorAsync(s, series.Tag("device"), boot.Key, ordered[0].T, cancellationToken).ConfigureAwait(false);
                }

                foreach (var r in ordered)
                {
                    var mm = previous is { } p ? Math.Max(0, r.Total!.Value - p) : r.Total!.Value;
                    if (r.T >= from)
                    {
                        increments.Add((r.T, mm));
                    }

                    previous = r.Total;
                }
            }

            perDevice.Add(increments);
        }

        var rain = perDevice.OrderByDescending(d => d.Sum(x => x.Mm)).ThenByDescending(d => d.Count).FirstOrDefault() ?? [];

        var level = new List<(long, double)>();
        foreach (var series in await influx.QueryAsync(Q($"SELECT value FROM water WHERE site = {s} AND quantity = 'level' AND {ValidReadings.Where} AND time >= {from}s AND time < {to}s"), cancellationToken).ConfigureAwait(false))
        {
            level.AddRange(series.Rows.Where(r => InfluxQueryClient.AsDouble(r[1]) is not null).Select(r => (InfluxQueryClient.AsLong(r[0]), InfluxQueryClient.AsDouble(r[1])!.Value)));
        }

        var latest = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var series in await influx.QueryAsync(Q($"SELECT last(value) FROM water, device WHERE site = {s} AND {ValidReadings.Where} AND time >= {from}s AND time < {to}s GROUP BY quantity"), cancellationToken).ConfigureAwait(false))
        {
            if (series.Rows.Count > 0 && InfluxQueryClient.AsDouble(series.Rows[^1][1]) is { } v)
            {
                latest[series.Name + "." + series.Tag("quantity")] = v;
            }
        }

        return new SiteWindow(from, to, rain.OrderBy(r => r.T).ToList(), perDevice.Count > 0, level.OrderBy(l => l.Item1).ToList(), latest);
    }

    private async Task<double?> PredecessorAsync(string site, string device, long boot, long before, CancellationToken cancellationToken)
    {
        var rows = await influx.QueryAsync(Q($"SELECT last(value) FROM rain WHERE site = {site} AND quantity = 'total' AND device = {InfluxQueryClient.Literal(device)} AND boot = {boot} AND {ValidReadings.Where} AND time < {before}s"), cancellationToken).ConfigureAwait(false);
        return rows.Count > 0 && rows[0].Rows.Count > 0 ? InfluxQueryClient.AsDouble(rows[0].Rows[0][1]) : null;
    }

    private static string Q(FormattableString q) => q.ToString(CultureInfo.InvariantCulture);
}
