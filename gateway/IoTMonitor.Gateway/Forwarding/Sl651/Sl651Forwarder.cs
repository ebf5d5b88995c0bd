using System.Security.Cryptography;
using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Query;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>Status of one SL 651 platform, for the API and <c>iotmon</c>.</summary>
public sealed record Sl651PlatformStatus(string Name, string Host, int Port, int CentreAddress, bool Connected, string? LastError, DateTimeOffset? LastAnswerAt, long Pending, DateTimeOffset? OldestPending, long Sent, long Answered, long Resent, long Requests, long Refused, long InvalidFrames, string[] Sites);

/// <summary>
/// The SL 651-2014 forwarder: per platform an outbox (<see cref="IForwardingOutbox"/>: file
/// <c>sl651-{platform}.db</c>, or shared in PostgreSQL) and a link. Hourly (34) and timed (32) reports are built from InfluxDB
/// once their period has closed and settled; a reading arriving for a period already built marks it
/// dirty, and the period is built again and queued when its content changed. Additional reports (33)
/// are queued when the rain of the last <c>EventRainMinutes</c> crosses <c>EventRainMm</c> and, through
/// <see cref="Sl651AlertChannel"/>, when a flash-flood warning is raised or escalated. A report's
/// frame — serial number and send time included — is fixed when stored, so a resend is the same frame.
/// </summary>
public sealed class Sl651Forwarder : PlatformForwarder<Sl651Forwarder.Platform>
{
    internal const string HourlyKind = "34";
    internal const string TimedKind = "32";
    internal const string RainEventKind = "33r";

    private readonly Sl651Options _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly Sl651Composer _composer;
    private readonly Sl651DataSource _data;

    public Sl651Forwarder(Sl651Options options, ForwardingOutboxes outboxes, IngestPipeline pipeline, InfluxQueryClient influx, TimeProvider clock, ILoggerFactory logs)
        : base(pipeline, "SL 651", logs.CreateLogger<Sl651Forwarder>())
    {
        _options = options;
        _clock = clock;
        _log = logs.CreateLogger<Sl651Forwarder>();
        _composer = new Sl651Composer(options);
        _data = new Sl651DataSource(influx);
        foreach (var p in options.Platforms)
        {
            var outbox = outboxes.Open($"sl651-{p.Name}", TimeSpan.FromSeconds(options.AnswerTimeoutSeconds));
            var counters = new ForwardingCounters();
            var requests = new Sl651Requests(p, _composer, _data, counters, clock, _log);
            Platforms.Add(new Platform(p, outbox, new Sl651Link(p, outbox, options, requests, counters, clock, _log)));
        }

        ListenWhenConfigured();
    }

    private IEnumerable<(string Kind, long Seconds)> Periods()
    {
        if (_options.Hourly)
        {
            yield return (HourlyKind, 3600);
        }

        if (_options.TimedReportMinutes > 0)
        {
            yield return (TimedKind, _options.TimedReportMinutes * 60L);
        }

        if (_options.EventRainMm > 0)
        {
            yield return (RainEventKind, 300);
        }
    }

    public IReadOnlyList<Sl651PlatformStatus> Status()
    {
        lock (Platforms)
        {
            return Platforms.Select(p =>
            {
                var o = p.Outbox.Counts();
                var c = p.Link.Counters;
                return new Sl651PlatformStatus(p.Config.Name, p.Config.Host, p.Config.Port, p.Config.CentreAddress, p.Link.Connected, p.Link.LastError, p.Link.LastAnswerAt, o.Pending, o.OldestPending,
                    Interlocked.Read(ref c.Sent), Interlocked.Read(ref c.Answered), Interlocked.Read(ref c.Resent), Interlocked.Read(ref c.Requests), Interlocked.Read(ref c.Refused), Interlocked.Read(ref c.InvalidFrames),
                    p.Config.Sites.Select(s => s.Site).ToArray());
            }).ToList();
        }
    }

    public string RenderMetrics() => RenderMetrics("sl651", "SL 651", "a confirmation (EOT/ESC)");

    /// <summary>
    /// Queues an additional report (33) for each platform reporting <paramref name="site"/>, observed at
    /// <paramref name="at"/>, with the last hour's rain and the latest values; <paramref name="eventId"/>
    /// makes it once only. Returns how many platforms got one.
    /// </summary>
    public async Task<int> QueueEventAsync(string site, string eventId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var queued = 0;
        foreach (var p in Snapshot())
        {
            foreach (var station in p.Config.Sites.Where(s => s.Site == site))
            {
                var key = $"33|{site}|{eventId}";
                if (p.Outbox.Contains(key))
                {
                    queued++;
                    continue;
                }

                var end = at.ToUnixTimeSeconds() + 1;
                var w = await _data.ReadAsync(site, end - 3600, end, cancellationToken).ConfigureAwait(false);
                var elements = _composer.StateElements(station, end - 3600, end, w);
                if (Queue(p, station, Sl651Function.Additional, key, at.ToUnixTimeSeconds(), at, elements))
                {
                    queued++;
                    p.Link.Wake();
                }
            }
        }

        return queued;
    }

    protected override void OnReadingsDurable(object? sender, ReadingsDurableEventArgs e)
    {
        lock (Platforms)
        {
            var now = _clock.GetUtcNow().ToUnixTimeSeconds();
            foreach (var p in Platforms)
            {
                foreach (var station in p.Config.Sites.Where(s => s.Site == e.Site))
                {
                    try
                    {
                        foreach (var (kind, seconds) in Periods().Where(k => k.Kind != RainEventKind))
                        {
                            if (p.Outbox.NextPeriod(station.Site, kind) is not { } next)
                            {
                                continue;
                            }

                            foreach (var start in e.Readings.Select(r => LocalPeriods.Start(r.T, seconds, _options.Offset)).Distinct().Where(s => s < next))
                            {
                                p.Outbox.MarkDirty(station.Site, kind, start, now + _options.SettleSeconds);
                            }
                        }
                    }
                    catch (Exception ex)
                    {
                        // the ingest path must not fail for a forwarder; the periods are still built from InfluxDB
                        _log.LogError(ex, "SL 651 {Platform}: late readings of {Device} not marked", p.Config.Name, e.Device);
                    }
                }
            }
        }
    }

    protected override int PollSeconds => _options.PollSeconds;

    /// <summary>Builds and queues every closed period not built yet, and the dirty ones that are due.</summary>
    protected override async Task BuildAsync(Platform p, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var station in p.Config.Sites)
        {
            foreach (var (kind, seconds) in Periods())
            {
                var closedBefore = LocalPeriods.Start(now - _options.SettleSeconds, seconds, _options.Offset);
                var next = p.Outbox.NextPeriod(station.Site, kind);
                if (next is null)
                {
                    next = LocalPeriods.Start(_options.StartFrom?.ToUnixTimeSeconds() ?? now, seconds, _options.Offset);
                    p.Outbox.SetNextPeriod(station.Site, kind, next.Value);
                }

                for (var start = next.Value; start < closedBefore && !cancellationToken.IsCancellationRequested; start += seconds)
                {
                    await BuildPeriodAsync(p, station, kind, start, seconds, cancellationToken).ConfigureAwait(false);
                    p.Outbox.SetNextPeriod(station.Site, kind, start + seconds);
                }
            }
        }

        foreach (var (site, kind, start, due) in p.Outbox.DueDirty(now, 256))
        {
            var station = p.Config.Sites.FirstOrDefault(s => s.Site == site);
            var seconds = Periods().FirstOrDefault(x => x.Kind == kind).Seconds;
            if (station is not null && seconds > 0)
            {
                await BuildPeriodAsync(p, station, kind, start, seconds, cancellationToken).ConfigureAwait(false);
            }

            p.Outbox.ClearDirty(site, kind, start, due);
        }

        p.Outbox.Prune(_clock.GetUtcNow().AddDays(-_options.KeepDays));
    }

    private async Task BuildPeriodAsync(Platform p, Sl651Station station, string kind, long start, long seconds, CancellationToken cancellationToken)
    {
        var end = start + seconds;
        var observed = DateTimeOffset.FromUnixTimeSeconds(end);
        if (kind == RainEventKind)
        {
            var window = _options.EventRainMinutes * 60L;
            var w = await _data.ReadAsync(station.Site, end - window - 300, end, cancellationToken).ConfigureAwait(false);
            var rain = w.RainIn(end - window, end);
            if (rain >= _options.EventRainMm && w.RainIn(end - window - 300, end - 300) < _options.EventRainMm)
            {
                var elements = _composer.StateElements(station, end - window, end, w);
                if (Queue(p, station, Sl651Function.Additional, $"33|{station.Site}|rain|{end}", end, observed, elements))
                {
                    p.Link.Wake();
                }
            }

            return;
        }

        var data = await _data.ReadAsync(station.Site, start, end, cancellationToken).ConfigureAwait(false);
        var body = kind == HourlyKind ? _composer.HourlyElements(station, end, data) : _composer.StateElements(station, start, end, data);
        if (body.Length == 0)
        {
            return;
        }

        // the identity of a periodic report is its period and content: built again with the same data it is not queued again
        var key = $"{kind}|{station.Site}|{start}|{Convert.ToHexString(SHA256.HashData(body))[..16]}";
        var function = kind == HourlyKind ? Sl651Function.Hourly : Sl651Function.Timed;
        if (Queue(p, station, function, key, start, observed, body))
        {
            p.Link.Wake();
        }
    }

    private bool Queue(Platform p, Sl651Station station, byte function, string key, long dataTime, DateTimeOffset observed, byte[] elements)
    {
        if (elements.Length == 0 || p.Outbox.Contains(key))
        {
            return false;
        }

        var serial = p.Outbox.NextCounter("serial:" + station.Station, 65535);
        var frame = _composer.Report(p.Config, station, function, serial, _clock.GetUtcNow(), observed, elements);
        return p.Outbox.Add(key, function.ToString("X2", System.Globalization.CultureInfo.InvariantCulture), station.Site, dataTime, [(serial.ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToHexString(frame))], _clock.GetUtcNow());
    }

    public sealed record Platform(Sl651Platform Config, IForwardingOutbox Outbox, Sl651Link Link) : IForwardedPlatform
    {
        string IForwardedPlatform.Name => Config.Name;

        IPlatformLink IForwardedPlatform.Link => Link;
    }
}
