using System.Text;
using System.Text.Json;
using IoTMonitor.Firmware.Core.Power;
using IoTMonitor.Firmware.Core.Tests.Fakes;
using IoTMonitor.Firmware.Core.Tests.Node;

namespace IoTMonitor.Firmware.Core.Tests.Power;

/// <summary>NodeCycle with the low-battery policy on fakes: the battery falls through every mode to the cut-off and comes back.</summary>
public class LowBatteryNodeTests
{
    private const string Config = """
        {"v":1,"device":"aq-0001","site":"s1","type":"air","wifi":{"ssid":"f"},"mqtt":{"host":"gw"},
         "sampleSec":900,"uploadSec":3600,"batchMax":50,"maxAwakeSec":60,
         "sensors":[
           {"id":"temp","kind":"ds18b20","quantity":"water.temp","pin":4,"samples":1},
           {"id":"co2","kind":"scd4x","quantity":"air.co2","bus":1,"address":98,"samples":1}]}
        """;

    private static NodeHarness Node()
    {
        var h = new NodeHarness { ConfigBytes = Encoding.UTF8.GetBytes(Config) };
        h.Sensors.ById["co2"] = new FakeSensor(1) { Values = [420] };
        return h;
    }

    // The node sleeps until the next due time: the interval less this wake's awake time.
    private static void Near(int interval, int sleptSeconds) => Assert.InRange(sleptSeconds, interval - 60, interval);

    private static PowerMode ModeOf(NodeHarness h)
    {
        var state = new IoTMonitor.Firmware.Core.Node.NodeState(h.Files);
        Assert.True(state.Load());
        return (PowerMode)state.PowerMode;
    }

    private static int? PwrOf(string telemetry)
    {
        using var doc = JsonDocument.Parse(telemetry);
        return doc.RootElement.GetProperty("h").TryGetProperty("pwr", out var p) ? p.GetInt32() : null;
    }

    [Fact]
    public void Drains_through_economy_survival_and_cutoff_then_recovers_to_normal()
    {
        var h = Node();
        var co2 = h.Sensors.ById["co2"];
        h.Power.Battery = 3.90;
        for (int i = 0; i < 4; i++)
        {
            Near(900, h.Wake().SleepSeconds);
        }

        Assert.All(h.Link.Telemetry, t => Assert.Null(PwrOf(t))); // Normal: no pwr key, the v1 wire as before

        // Economy: sampling as configured, uploads every 4 h instead of hourly.
        h.Power.Battery = 3.55;
        int connects = h.Link.Connects;
        var sleeps = new List<int>();
        for (int i = 0; i < 16; i++)
        {
            sleeps.Add(h.Wake().SleepSeconds);
        }

        Assert.All(sleeps, s => Near(900, s));
        Assert.InRange(h.Link.Connects - connects, 1, 2); // hourly would be 4: one before the trend crossed 3.60, then 4-hourly
        Assert.Equal(PowerMode.Economy, ModeOf(h));

        // Survival: CO2 left off, sampling and uploads stretched ×4.
        h.Power.Battery = 3.40;
        for (int i = 0; i < 8 && h.Wake().SleepSeconds <= 900; i++)
        {
        }

        Assert.Equal(PowerMode.Survival, ModeOf(h));
        int co2Reads = co2.Reads;
        Near(3600, h.Wake().SleepSeconds);
        Assert.Equal(co2Reads, co2.Reads);

        // Cut-off: the wake that enters it uploads once more (health pwr 3), then no Wi-Fi at all.
        h.Power.Battery = 3.20;
        int telemetryBefore = h.Link.Telemetry.Count();
        int wakes = 0;
        while (!h.Link.Telemetry.Skip(telemetryBefore).Any(t => PwrOf(t) == 3) && wakes++ < 12)
        {
            h.Wake();
        }

        Assert.Equal(3, PwrOf(h.Link.Telemetry.Last()));
        Near(3600, h.Power.SleptSeconds!.Value);
        connects = h.Link.Connects;
        for (int i = 0; i < 48; i++)
        {
            Near(3600, h.Wake().SleepSeconds); // checkSec: one look at the battery an hour
        }

        Assert.Equal(connects, h.Link.Connects);
        Assert.Equal(co2Reads, co2.Reads);

        // Sun again: 3.50 V is above cut-off + hysteresis but below resumeV 3.55: still quiet.
        h.Power.Battery = 3.50;
        for (int i = 0; i < 12; i++)
        {
            h.Wake();
        }

        Assert.Equal(connects, h.Link.Connects);

        // Charged: the trend passes resumeV, the node uploads again and climbs back to Normal.
        h.Power.Battery = 3.95;
        int t0 = h.Link.Telemetry.Count();
        for (int i = 0; i < 16; i++)
        {
            h.Wake();
        }

        Assert.True(h.Link.Connects > connects);
        Assert.Null(PwrOf(h.Link.Telemetry.Last()));
        Assert.Contains(h.Link.Telemetry.Skip(t0), t => PwrOf(t) is 1 or 2 or null);
        Near(900, h.Wake().SleepSeconds);
        Assert.True(co2.Reads > co2Reads);
    }

    [Fact]
    public void Mode_and_trend_survive_deep_sleep_in_the_node_state()
    {
        var h = Node();
        h.Power.Battery = 3.30;
        for (int i = 0; i < 3; i++)
        {
            h.Wake();
        }

        var state = new IoTMonitor.Firmware.Core.Node.NodeState(h.Files);
        Assert.True(state.Load());
        Assert.Equal((int)PowerMode.Cutoff, state.PowerMode);
        Assert.InRange(state.BatteryTrendMv, 3300, 3349);
    }
}
