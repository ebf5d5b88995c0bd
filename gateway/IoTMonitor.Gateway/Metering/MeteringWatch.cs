using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Alerts.Metering;
using IoTMonitor.Gateway.Query;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Metering;

/// <summary>
/// Every <c>Metering:AlertCheckSeconds</c>, reads what the channels with an allocation or a delivery
/// in force have used and how they flow, from the stored readings as the volumes API does, and hands
/// it to the alert engine, whose <c>allocation</c> and <c>no_flow</c> rules decide (docs/alerts.md
/// "Water metering"). The queries run here, outside the engine's lock. A failed query is logged and
/// counted; the next check tries again and the alerts stay as they were meanwhile.
/// <para>
/// Its parts are resolved when it starts, not when the host builds it: the host builds every hosted
/// service before the start's option checks, and a metering configuration that fails them must stop
/// the start with its own message.
/// </para>
/// </summary>
public sealed class MeteringWatch(IServiceProvider services, TimeProvider time, ILogger<MeteringWatch> log) : BackgroundService
{
    private MeteringOptions Options => services.GetRequiredService<MeteringOptions>();

    private MeteringService Metering => services.GetRequiredService<MeteringService>();

    private AlertsService Alerts => services.GetRequiredService<AlertsService>();

    private long _checks;
    private long _failures;

    /// <summary>Reports handed to the engine.</summary>
    public long Checks => Interlocked.Read(ref _checks);

    /// <summary>Checks that failed (InfluxDB unreachable, a site with several level devices).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The report for gateway time <paramref name="at"/>: the channels with an allocation or a delivery in force then.</summary>
    public async Task<MeteringReport> ReportAsync(long at, IReadOnlyCollection<int> windows, CancellationToken ct)
    {
        var channels = new List<ChannelMetering>();
        var metering = Metering;
        foreach (var (districtId, district) in Options.Districts)
        {
            foreach (var (channelId, channel) in district.Channels)
            {
                var allocations = new List<AllocationUse>();
                foreach (var a in channel.Allocations.Where(a => a.From <= at && at < a.To))
                {
                    var used = await metering.ChannelVolumeAsync(channel, a.From, at, ct).ConfigureAwait(false);
                    allocations.Add(new AllocationUse(a.Id, a.From, a.To, a.Volume, used.Volume, used.Completeness));
                }

                var deliveries = new List<DeliveryFlow>();
                foreach (var d in channel.Deliveries.Where(d => d.From <= at && at < d.To))
                {
                    foreach (var window in windows)
                    {
                        var from = Math.Max(d.From, at - window);
                        var v = from < at ? await metering.ChannelVolumeAsync(channel, from, at, ct).ConfigureAwait(false) : null;
                        var seconds = v is null ? 0 : v.CoveredSeconds + v.InterpolatedSeconds;
                        deliveries.Add(new DeliveryFlow(d.From, d.To, d.MinFlow, window, seconds > 0 ? v!.Volume / seconds : null, seconds));
                    }
                }

                if (channel.Allocations.Count > 0 || channel.Deliveries.Count > 0)
                {
                    // a channel with a schedule but nothing in force is reported too: its alerts clear when their period ends
                    channels.Add(new ChannelMetering(districtId, channelId, channel.Name, channel.Sites, allocations, deliveries));
                }
            }
        }

        return new MeteringReport(at, channels);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = Options;
        if (!Alerts.Options.Enabled || !options.Districts.Values.Any(d => d.Channels.Values.Any(c => c.Allocations.Count + c.Deliveries.Count > 0)))
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.AlertCheckSeconds), time);
        try
        {
            do
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CheckAsync(CancellationToken ct)
    {
        var alerts = Alerts;
        if (!alerts.Started)
        {
            return;
        }

        var windows = alerts.Engine.Rules.Where(r => r.Kind == RuleKind.NoFlow).Select(r => r.WindowSeconds).Distinct().ToList();
        try
        {
            var report = await ReportAsync(time.GetUtcNow().ToUnixTimeSeconds(), windows, ct).ConfigureAwait(false);
            alerts.Engine.OnMetering(report);
            Interlocked.Increment(ref _checks);
        }
        catch (Exception e) when (e is InfluxQueryException or MeteringException or HttpRequestException)
        {
            Interlocked.Increment(ref _failures);
            log.LogWarning("Metering alert check failed, the alerts stay as they were until the next check: {Error}", e.Message);
        }
    }
}
