using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Link;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Tests.Node;

/// <summary>
/// A flash-flood virtual node (NodeCycle unchanged, the PCF8593 model on its I2C bus, EXT1 on the
/// counter's INT) under rain that starts and passes <c>eventRainMm</c> between two 900-s samplings:
/// the counter's alarm must wake it within a tip of the crossing, not at the next timer wake. The
/// site has no Wi-Fi, so no broker is needed; event mode is judged on the node.
/// </summary>
public sealed class RainCounterWake_Tests
{
    private const long Start = 1_767_225_600_000; // 2026-01-01

    [Fact]
    public void Rain_passing_the_event_threshold_mid_interval_wakes_the_node_within_a_tip_and_it_enters_event_mode()
    {
        var time = new ManualTime(Start);
        var sim = new SimulationClock(Start, 1e9, time);
        var ev = EventModeSettings.FlashFloodDefaults; // 5 mm in 30 min, 60-s sampling
        var config = DeviceConfigDocument.Build(new DeviceConfigRequest("ff-site", "ff-1", "water", "127.0.0.1", 1, "secret", SampleSec: 900, RainGauge: true, EventMode: ev));
        using var node = new VirtualNode(new NodeSpec("ff-site", "ff-1", "water", config), sim, new LinkOptions { IsWifiDown = _ => true });

        // Dry for the cold start and the first scheduled wake, then 60 mm/h (a 0.2-mm tip every 12 s)
        // from 1 000 s on: 5 mm (25 tips) by 1 300 s, between the samplings at ≈ 900 s and ≈ 1 800 s.
        long rainFrom = (Start / 1000) + 1000;
        node.Board.AttachRainGauge(() => node.Clock.TrueUtcMs / 1000, new SteadyRain(rainFrom, rainFrom + 7200, 60), 0.2);
        long crossing = rainFrom + 300;

        long now = Start;
        var wakes = new List<(long AtSec, bool ByCounter, bool Event)>();
        for (int i = 0; i < 10 && !node.EventMode; i++)
        {
            time.Set(now);
            long began = now / 1000;
            now = node.Wake();
            wakes.Add((began, node.LastWakeByCounter, node.EventMode));
        }

        var entered = wakes.FirstOrDefault(w => w.Event);
        Assert.True(entered.Event, "never entered event mode: " + string.Join(", ", wakes.Select(w => $"{w.AtSec - (Start / 1000)} s{(w.ByCounter ? " (INT)" : "")}")));
        Assert.True(entered.ByCounter, $"entered at a timer wake {entered.AtSec - (Start / 1000)} s after start, crossing at {crossing - (Start / 1000)} s");
        Assert.InRange(entered.AtSec, crossing, crossing + 12); // within one tip of the crossing
        Assert.Equal(1, node.CounterWakes);
        Assert.Equal(wakes.Count, wakes.Count(w => w.AtSec < crossing) + 1); // no wake between the crossing and the entry
    }

    private sealed class ManualTime(long utcMs) : TimeProvider
    {
        private long _utcMs = utcMs;

        public void Set(long utcMs) => _utcMs = utcMs;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(_utcMs);
    }
}
