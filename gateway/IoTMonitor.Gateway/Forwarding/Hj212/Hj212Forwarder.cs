using System.Security.Cryptography;
using System.Text;
using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Query;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>Status of one platform, for the API and <c>iotmon</c>.</summary>
public sealed record Hj212PlatformStatus(string Name, string Host, int Port, bool Connected, string? LastError, DateTimeOffset? LastAnswerAt, long Pending, DateTimeOffset? OldestPending, long Sent, long Answered, long Resent, long Requests, long Refused, long InvalidFrames, string[] Sites);

/// <summary>
/// The HJ 212-2017 forwarder: per platform an outbox (which also issues the QNs) and a link. Real-time packets are
/// stored from each batch made durable (before the node gets its PUBACK, so a stored reading is never
/// missing from the outbox); minute/hour/day packets are built from InfluxDB once a period has closed
/// and settled; a reading arriving for a period already built marks it dirty, and the period is built
/// again and queued when its content changed (the history it is, with its own DataTime).
/// </summary>
public sealed class Hj212Forwarder : PlatformForwarder<Hj212Forwarder.Platform>
{
    private readonly Hj212Options _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly Hj212Composer _composer;
    private readonly Hj212AggregateSource _aggregates;

    public Hj212Forwarder(Hj212Options options, ForwardingOutboxes outboxes, IngestPipeline pipeline, InfluxQueryClient influx, TimeProvider clock, ILoggerFactory logs)
        : base(pipeline, "HJ 212", logs.CreateLogger<Hj212Forwarder>())
    {
        _options = options;
        _clock = clock;
        _log = logs.CreateLogger<Hj212Forwarder>();
        _composer = new Hj212Composer(options);
        _aggregates = new Hj212AggregateSource(influx, _composer.Time);
        foreach (var p in options.Platforms)
        {
            var outbox = outboxes.Open($"hj212-{p.Name}", TimeSpan.FromSeconds(options.AnswerTimeoutSeconds));
            var counters = new ForwardingCounters();
            var requests = new Hj212Requests(p, options, _composer, _aggregates, counters, clock, _log);
            var link = new Hj212Link(p, outbox, options, requests, counters, clock, _log);
            Platforms.Add(new Platform(p, outbox, link));
        }

        ListenWhenConfigured();
    }

    /// <summary>The aggregate CNs sent, with their period in seconds.</summary>
    private IEnumerable<(string Cn, long Seconds)> Periods()
    {
        if (_options.MinuteDataMinutes > 0)
        {
            yield return (Hj212Cn.Minute, _options.MinuteDataMinutes * 60L);
        }

        if (_options.Hourly)
        {
            yield return (Hj212Cn.Hourly, 3600);
        }

        if (_options.Daily)
        {
            yield return (Hj212Cn.Daily, 86400);
        }
    }

    public IReadOnlyList<Hj212PlatformStatus> Status()
    {
        lock (Platforms)
        {
            return Platforms.Select(p =>
            {
                var o = p.Outbox.Counts();
                var c = p.Link.Counters;
                return new Hj212PlatformStatus(p.Config.Name, p.Config.Host, p.Config.Port, p.Link.Connected, p.Link.LastError, p.Link.LastAnswerAt, o.Pending, o.OldestPending,
                    Interlocked.Read(ref c.Sent), Interlocked.Read(ref c.Answered), Interlocked.Read(ref c.Resent), Interlocked.Read(ref c.Requests), Interlocked.Read(ref c.Refused), Interlocked.Read(ref c.InvalidFrames),
                    p.Config.Sites.Select(s => s.Site).ToArray());
            }).ToList();
        }
    }

    public string RenderMetrics() => RenderMetrics("hj212", "HJ 212", "CN 9014");

    protected override void OnReadingsDurable(object? sender, ReadingsDurableEventArgs e)
    {
        lock (Platforms)
        {
            var now = _clock.GetUtcNow();
            foreach (var p in Platforms)
            {
                foreach (var station in p.Config.Sites)
                {
                    if (station.Site != e.Site)
                    {
                        continue;
                    }

                    try
                    {
                        Queue(p, station, e, now);
                    }
                    catch (Exception ex)
                    {
                        // the ingest path must not fail for a forwarder; the periods are still built from InfluxDB
                        _log.LogError(ex, "HJ 212 {Platform}: readings of {Device} not queued", p.Config.Name, e.Device);
                    }
                }

                p.Link.Wake();
            }
        }
    }

    private void Queue(Platform p, Hj212Station station, ReadingsDurableEventArgs e, DateTimeOffset now)
    {
        var stopping = e.PowerMode == 3;
        if (_options.RealTime)
        {
            foreach (var group in e.Readings.GroupBy(r => r.T))
            {
                if (now.ToUnixTimeSeconds() - group.Key > _options.RealTimeMaxAgeSeconds)
                {
                    continue;
                }

                p.Outbox.AddStamped(
                    $"{Hj212Cn.RealTime}|{station.Site}|{e.Device}|{group.Key}",
                    Hj212Cn.RealTime,
                    station.Site,
                    group.Key,
                    stamp => _composer.RealTime(p.Config, station, group.Key, group, stopping, () => _composer.Time.Qn(stamp())),
                    now);
            }
        }

        foreach (var (cn, seconds) in Periods())
        {
            if (p.Outbox.NextPeriod(station.Site, cn) is not { } next)
            {
                continue;
            }

            foreach (var start in e.Readings.Select(r => _composer.Time.PeriodStart(r.T, seconds)).Distinct())
            {
                if (start < next)
                {
                    p.Outbox.MarkDirty(station.Site, cn, start, now.ToUnixTimeSeconds() + _options.SettleSeconds);
                }
            }
        }
    }

    protected override int PollSeconds => _options.PollSeconds;

    protected override Task BuildAsync(Platform platform, CancellationToken cancellationToken) => AggregateAsync(platform, cancellationToken);

    /// <summary>Builds and queues every closed period not built yet, and the dirty ones that are due.</summary>
    internal async Task AggregateAsync(Platform p, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var queued = false;
        foreach (var station in p.Config.Sites)
        {
            foreach (var (cn, seconds) in Periods())
            {
                var closedBefore = _composer.Time.PeriodStart(now - _options.SettleSeconds, seconds);
                var next = p.Outbox.NextPeriod(station.Site, cn);
                if (next is null)
                {
                    // first start: from StartFrom, or the period now open (the platform asks for older data with a history request)
                    next = _composer.Time.PeriodStart(_options.StartFrom?.ToUnixTimeSeconds() ?? now, seconds);
                    p.Outbox.SetNextPeriod(station.Site, cn, next.Value);
                }

                var from = next.Value;
                while (from < closedBefore)
                {
                    var to = Math.Min(closedBefore, from + (seconds * 1000));
                    foreach (var (start, list) in await _aggregates.QueryAsync(station.Site, from, to, seconds, cancellationToken).ConfigureAwait(false))
                    {
                        queued |= QueueAggregate(p, station, cn, start, list);
                    }

                    p.Outbox.SetNextPeriod(station.Site, cn, to);
                    from = to;
                }
            }
        }

        foreach (var (site, cn, start, due) in p.Outbox.DueDirty(now, 256))
        {
            var station = p.Config.Sites.FirstOrDefault(s => s.Site == site);
            var seconds = Periods().FirstOrDefault(x => x.Cn == cn).Seconds;
            if (station is not null && seconds > 0)
            {
                foreach (var (s, list) in await _aggregates.QueryAsync(site, start, start + seconds, seconds, cancellationToken).ConfigureAwait(false))
                {
                    queued |= QueueAggregate(p, station, cn, s, list);
                }
            }

            p.Outbox.ClearDirty(site, cn, start, due);
        }

        if (queued)
        {
            p.Link.Wake();
        }

        p.Outbox.Prune(_clock.GetUtcNow().AddDays(-_options.KeepDays));
    }

    // the identity of an aggregate packet is its period and content: built again with the same data it is not queued again
    private bool QueueAggregate(Platform p, Hj212Station station, string cn, long start, List<Hj212Aggregate> list)
    {
        var items = string.Join(';', _composer.AggregateItems(list));
        if (items.Length == 0)
        {
            return false;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(items)))[..16];
        return p.Outbox.AddStamped(
            $"{cn}|{station.Site}|{start}|{hash}",
            cn,
            station.Site,
            start,
            stamp => _composer.Aggregate(p.Config, station, cn, start, list, () => _composer.Time.Qn(stamp()), p.Config.RequireAnswer),
            _clock.GetUtcNow());
    }

    public sealed record Platform(Hj212Platform Config, IForwardingOutbox Outbox, Hj212Link Link) : IForwardedPlatform
    {
        string IForwardedPlatform.Name => Config.Name;

        IPlatformLink IForwardedPlatform.Link => Link;
    }
}
