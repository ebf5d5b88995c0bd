using IoTMonitor.Firmware.Core.Power;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Link;
using IoTMonitor.Firmware.Host.Node;

namespace IoTMonitor.Firmware.Host.Tests.Power;

/// <summary>
/// The virtual node (NodeCycle unchanged, the host's <see cref="VirtualPower"/> over its
/// <see cref="Signals.BatteryModel"/>) through weeks without charge and the sun's return: the
/// low-battery policy must keep it above the brown-out, stop its radio at the cut-off and bring it
/// back to normal operation on its own. The site has no Wi-Fi, so every connect attempt is counted
/// by the real link code and no broker is needed.
/// </summary>
public class LowBatteryVirtualNode_Tests
{
    private const long Start = 1_767_225_600_000; // 2026-01-01

    [Fact]
    public void Air_node_drains_to_the_cut_off_without_browning_out_and_recovers_when_the_sun_returns()
    {
        var time = new ManualTime(Start);
        var sim = new SimulationClock(Start, 1e9, time);
        var config = DeviceConfigDocument.Build(new DeviceConfigRequest("site-1", "aq-1", "air", "127.0.0.1", 1, "secret"));
        var spec = new NodeSpec("site-1", "aq-1", "air", config) { InitialCharge = 0.35 };
        using var node = new VirtualNode(spec, sim, new LinkOptions { IsWifiDown = _ => true });
        node.Battery.PanelChargeMa = 0; // a snowed-over panel, or the cold-charge cutoff open for weeks

        long now = Start;
        var seen = new HashSet<PowerMode>();
        long pmsReadsAtCutoff = -1;
        long connectsAtCutoff = -1;
        double voltsAtCutoff = 0;
        for (int wake = 0; wake < 6000 && (connectsAtCutoff < 0 || now < Start + (40L * 86400 * 1000)); wake++)
        {
            time.Set(now);
            long connectsBefore = node.ConnectAttempts;
            now = node.Wake();
            Assert.False(node.IsDead, $"browned out at {node.Battery.Volts:F3} V after {(now - Start) / 86400000.0:F1} days");
            var mode = (PowerMode)node.PowerMode;
            seen.Add(mode);
            if (mode == PowerMode.Cutoff && connectsAtCutoff < 0)
            {
                Assert.Equal(connectsBefore + 1, node.ConnectAttempts); // the last report is tried even while backing off
                connectsAtCutoff = node.ConnectAttempts;
                pmsReadsAtCutoff = node.Sampled;
                voltsAtCutoff = node.Battery.Volts;
            }
        }

        Assert.Equal([PowerMode.Normal, PowerMode.Economy, PowerMode.Survival, PowerMode.Cutoff], seen.OrderBy(m => m).ToArray());
        Assert.InRange(voltsAtCutoff, 3.30, 3.36);
        Assert.True(connectsAtCutoff > 0);
        Assert.Equal(connectsAtCutoff, node.ConnectAttempts); // no radio for weeks after the last report
        Assert.True(node.Battery.Volts > VirtualNode.BrownOutVolts, $"{node.Battery.Volts:F3} V");

        // Sun again: the charger refills the pack, the trend passes resumeV and the node climbs back to Normal.
        node.Battery.PanelChargeMa = 550;
        for (int wake = 0; wake < 2000; wake++)
        {
            time.Set(now);
            now = node.Wake();
            if ((PowerMode)node.PowerMode == PowerMode.Normal)
            {
                break;
            }
        }

        Assert.Equal(PowerMode.Normal, (PowerMode)node.PowerMode);
        Assert.True(node.ConnectAttempts > connectsAtCutoff);
        Assert.True(node.Sampled > pmsReadsAtCutoff);
        Assert.Equal(0, node.BrownOuts);
    }

    private sealed class ManualTime(long utcMs) : TimeProvider
    {
        private long _utcMs = utcMs;

        public void Set(long utcMs) => _utcMs = utcMs;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(_utcMs);
    }
}
