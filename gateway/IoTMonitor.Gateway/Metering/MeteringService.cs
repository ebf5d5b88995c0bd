using System.Globalization;
using IoTMonitor.Gateway.Hydraulics;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Query;

namespace IoTMonitor.Gateway.Metering;

/// <summary>A metered site's volumes, with the rating records in force over the range (stage sites).</summary>
public sealed record SiteVolumes(string Site, string Source, string Device, IReadOnlyList<string> Ratings, IReadOnlyList<PeriodVolume> Periods);

/// <summary>A channel's volumes (its sites summed) and each site's.</summary>
public sealed record ChannelVolumes(string Channel, string Name, IReadOnlyList<PeriodVolume> Periods, IReadOnlyList<SiteVolumes> Sites);

/// <summary>The answer of <c>GET /api/v1/metering/districts/{district}/volumes</c>.</summary>
public sealed record DistrictVolumes(string District, string Name, long From, long To, string Period, string Unit, long MaxGapSeconds, IReadOnlyList<ChannelVolumes> Channels);

/// <summary>The site's configuration cannot answer (several level devices and none named).</summary>
public sealed class MeteringException(string message) : Exception(message);

/// <summary>
/// Volumes per district, channel, site and period, computed from the readings stored in InfluxDB
/// each time they are asked for. Nothing is accumulated in the gateway's memory: a resent reading is
/// one stored point (protocol §9), a late one is stored at its sampling time, a lost one is a gap,
/// and a gateway restart changes nothing — the same question gives the same answer.
/// </summary>
public sealed class MeteringService(MeteringOptions options, InfluxQueryClient influx)
{
    private const ReadingFlags Doubtful = ReadingFlags.OutOfRange | ReadingFlags.Stuck | ReadingFlags.SensorFault;

    // built on first use: the service exists before the start's option checks ran (the metering watch
    // is a hosted service), and a rating that fails them must stop the start with its own message
    private readonly Lazy<Dictionary<string, SiteRatings>> _ratings = new(options.BuildRatings);

    public MeteringOptions Options => options;

    /// <summary>The district's volumes, or null when it is not configured.</summary>
    public async Task<DistrictVolumes?> DistrictAsync(string district, long from, long to, string period, CancellationToken ct)
    {
        if (!options.Districts.TryGetValue(district, out var d))
        {
            return null;
        }

        var periods = MeteringPeriods.Make(from, to, period, options.UtcOffsetMinutes);
        var channels = new List<ChannelVolumes>();
        foreach (var (id, channel) in d.Channels)
        {
            channels.Add(await ChannelAsync(id, channel, from, to, periods, ct).ConfigureAwait(false));
        }

        return new DistrictVolumes(district, d.Name, from, to, period, "m3", options.MaxGapSeconds, channels);
    }

    /// <summary>One channel's volume over [<paramref name="from"/>, <paramref name="to"/>) as one period, with its completeness (the alert checks).</summary>
    public async Task<PeriodVolume> ChannelVolumeAsync(Channel channel, long from, long to, CancellationToken ct)
    {
        var volumes = await ChannelAsync(string.Empty, channel, from, to, [(from, to)], ct).ConfigureAwait(false);
        return volumes.Periods[0];
    }

    private async Task<ChannelVolumes> ChannelAsync(string id, Channel channel, long from, long to, List<(long Start, long End)> periods, CancellationToken ct)
    {
        var sites = new List<SiteVolumes>();
        foreach (var site in channel.Sites)
        {
            sites.Add(await SiteAsync(site, from, to, periods, ct).ConfigureAwait(false));
        }

        var combined = periods.Select((_, i) => PeriodVolume.Combine([.. sites.Select(s => s.Periods[i])])).ToList();
        return new ChannelVolumes(id, channel.Name, combined, sites);
    }

    private async Task<SiteVolumes> SiteAsync(string site, long from, long to, List<(long Start, long End)> periods, CancellationToken ct)
    {
        var config = options.Sites[site];
        if (config.Source == "meter")
        {
            var (device, rows) = await ReadAsync("flow", "total", site, config.Device, from, to, options.MaxGapSeconds, ct).ConfigureAwait(false);
            // the totaliser is exact across any gap: the nearest readings outside the range bound its first and last periods
            var before = await NeighbourAsync("flow", "total", site, device, from, before: true, ct).ConfigureAwait(false);
            var after = await NeighbourAsync("flow", "total", site, device, to, before: false, ct).ConfigureAwait(false);
            var samples = rows.Concat(before).Concat(after).Where(r => r.Value is not null)
                .Select(r => new TotaliserSample(r.T, r.Value!.Value, (r.Flags & Doubtful) != 0));
            return new SiteVolumes(site, "meter", device, [], TotaliserDifference.Volumes(samples, periods, options.MaxGapSeconds, config.Rollover));
        }

        var ratings = _ratings.Value[site];
        var (stageDevice, stage) = await ReadAsync("water", "level", site, config.Device, from, to, options.MaxGapSeconds, ct).ConfigureAwait(false);
        var downstream = new Dictionary<long, double>();
        if (!string.IsNullOrEmpty(config.DownstreamDevice))
        {
            var (_, rows) = await ReadAsync("water", "level", site, config.DownstreamDevice, from, to, options.MaxGapSeconds, ct).ConfigureAwait(false);
            foreach (var r in rows.Where(r => r.Value is not null))
            {
                downstream[r.T] = r.Value!.Value;
            }
        }

        var flows = stage.Select(r =>
        {
            if (r.Value is not { } level || (r.Flags & ReadingFlags.NoValue) != 0)
            {
                return new FlowSample(r.T, null, false);
            }

            double? tail = downstream.TryGetValue(r.T, out var dv) ? dv : null;
            var (q, _) = ratings.Rate(r.T, level, tail);
            return new FlowSample(r.T, q.Flow, (q.Quality & RatingQuality.OutOfRange) != 0 || (r.Flags & Doubtful) != 0);
        });
        var used = ratings.Records.Where((rec, i) => rec.At < to && (i + 1 == ratings.Records.Count || ratings.Records[i + 1].At > from)).Select(rec => rec.Id).ToList();
        return new SiteVolumes(site, "stage", stageDevice, used, FlowIntegrator.Integrate(flows, periods, options.MaxGapSeconds));
    }

    private async Task<(string Device, List<StoredReading> Rows)> ReadAsync(string measurement, string quantity, string site, string device, long from, long to, long margin, CancellationToken ct)
    {
        var where = Where(quantity, site, device) + string.Create(CultureInfo.InvariantCulture, $" AND time >= {from - margin}s AND time < {to + margin}s");
        var series = await influx.QueryAsync($"SELECT value, flags FROM {InfluxQueryClient.Identifier(measurement)} WHERE {where} GROUP BY device", ct).ConfigureAwait(false);
        if (series.Count > 1)
        {
            throw new MeteringException($"site {site} has {measurement}.{quantity} from several devices ({string.Join(", ", series.Select(s => s.Tag("device")))}): name one in Metering:Sites:{site}:Device");
        }

        return series.Count == 0 ? (device, []) : (series[0].Tag("device"), Rows(series[0]));
    }

    private async Task<List<StoredReading>> NeighbourAsync(string measurement, string quantity, string site, string device, long t, bool before, CancellationToken ct)
    {
        var bound = before ? string.Create(CultureInfo.InvariantCulture, $" AND time < {t}s") : string.Create(CultureInfo.InvariantCulture, $" AND time >= {t}s");
        var where = Where(quantity, site, device) + bound;
        var order = before ? " ORDER BY time DESC" : string.Empty;
        var series = await influx.QueryAsync($"SELECT value, flags FROM {InfluxQueryClient.Identifier(measurement)} WHERE {where}{order} LIMIT 1", ct).ConfigureAwait(false);
        return series.Count == 0 ? [] : Rows(series[0]);
    }

    private static string Where(string quantity, string site, string device) =>
        "site = " + InfluxQueryClient.Literal(site) + " AND quantity = " + InfluxQueryClient.Literal(quantity) +
        (string.IsNullOrEmpty(device) ? string.Empty : " AND device = " + InfluxQueryClient.Literal(device));

    private static List<StoredReading> Rows(InfluxSeries s)
    {
        int v = Array.IndexOf(s.Columns, "value"), f = Array.IndexOf(s.Columns, "flags");
        return s.Rows.Select(row => new StoredReading(
            InfluxQueryClient.AsLong(row[0]),
            v >= 0 ? InfluxQueryClient.AsDouble(row[v]) : null,
            f >= 0 && row[f] is not null ? (ReadingFlags)InfluxQueryClient.AsLong(row[f]) : ReadingFlags.None)).ToList();
    }

    private readonly record struct StoredReading(long T, double? Value, ReadingFlags Flags);
}
