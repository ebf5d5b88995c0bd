using System.Text.Json;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Node;

/// <summary>
/// The RTC (internal RC oscillator, drifting in deep sleep; reference §9) is re-synced on every upload
/// wake and its measured drift reported in health; a node whose NTP server never answers still
/// delivers its readings (protocol §3 unsynced rule) and discards only what can never be placed.
/// </summary>
public sealed class ClockSyncTests
{
    private const long Synced = 1_600_000_000;

    [Fact]
    public void Every_upload_wake_resyncs_and_health_reports_the_rtcs_drift_in_ppm()
    {
        const long start = 1_764_316_800;
        var h = new NodeHarness(utc: start);
        long trueStart = h.Clock.Millis;
        h.Link.NtpTime = () => start + ((h.Clock.Millis - trueStart) / 1000);
        int connects = 0;
        for (int wake = 0; wake < 12; wake++)
        {
            NodeCycleResult r = h.Wake();
            if (r.Connected)
            {
                connects++;
            }

            // Deep sleep on the RC oscillator: the RTC gains 3 % of the time slept (reference §9: up to ±5 %).
            h.Clock.UtcBase += r.SleepSeconds * 3 / 100;
        }

        Assert.True(connects >= 3, $"{connects} upload wakes");
        Assert.Equal(connects, h.Link.SyncRequests); // asked on every upload wake, set clock or not

        var drifts = h.Link.Telemetry.Select(p => DriftOf(p)).ToList();
        Assert.Null(drifts[0]);                          // nothing measured before a second sync
        Assert.All(drifts.Skip(1), d => Assert.InRange(d ?? 0, 29_000, 30_500)); // +3 %, awake time runs true
    }

    [Fact]
    public void With_ntp_unreachable_and_the_broker_answering_the_boots_readings_go_with_the_unset_clock()
    {
        // Power-on: the RTC reads 1970 and no NTP server ever answers.
        var h = new NodeHarness(utc: 5);
        h.Link.SntpTime = null;
        int sampled = 0;
        for (int wake = 0; wake < 24; wake++)
        {
            sampled += h.Wake().Sampled;
        }

        var batches = h.Link.Telemetry.Select(p => JsonDocument.Parse(p)).ToList();
        Assert.NotEmpty(batches);
        Assert.All(batches, b => Assert.True(b.RootElement.GetProperty("clk").GetInt64() < Synced)); // the gateway rebases (§3)
        var sent = h.Received();
        Assert.All(sent, x => Assert.True(x.T < Synced && (x.Flags & QualityFlags.TimeEstimated) == 0));

        // Held only until SendUnsyncedAfterMisses connected wakes went by without a clock, then
        // every reading sampled is sent; the last wake's may still be waiting for its upload time.
        Assert.InRange(sampled - sent.Select(x => (x.Boot, x.N)).Distinct().Count(), 0, sampled / 24 * 4);
        Assert.Equal(sent.Count, sent.Select(x => (x.Boot, x.N)).Distinct().Count());
    }

    [Fact]
    public void Readings_of_an_earlier_boot_that_never_synced_are_discarded_and_counted_not_held()
    {
        // Boot 1: 1970 clock, no network at all; two sampling wakes queue their readings.
        var h = new NodeHarness(utc: 5);
        h.Link.SntpTime = null;
        h.Link.NetworkUp = false;
        int boot1 = h.Wake().Sampled + h.Wake().Sampled;
        Assert.True(boot1 > 0);

        // A power cut: boot 2 on a 1970 clock again; the broker answers, NTP never does.
        h.Flash.Reset();
        h.Power.ResetReason = ResetReason.PowerOn;
        h.Clock.AdvanceSeconds(600);
        h.Clock.SetUtc(9);
        h.Link.NetworkUp = true;
        for (int wake = 0; wake < 24; wake++)
        {
            h.Wake();
        }

        var sent = h.Received();
        Assert.DoesNotContain(sent, x => x.Boot == 1);     // their times are unknown to node and gateway
        Assert.Contains(sent, x => x.Boot == 2);           // and they no longer hold boot 2's back
        Assert.All(h.Link.Telemetry, p => Assert.Equal(boot1, UnplaceableOf(p)));
    }

    private static int? DriftOf(string telemetry)
    {
        using var doc = JsonDocument.Parse(telemetry);
        return doc.RootElement.GetProperty("h").TryGetProperty("drift", out var d) ? d.GetInt32() : null;
    }

    private static int UnplaceableOf(string telemetry)
    {
        using var doc = JsonDocument.Parse(telemetry);
        return doc.RootElement.GetProperty("h").TryGetProperty("unp", out var d) ? d.GetInt32() : 0;
    }
}
