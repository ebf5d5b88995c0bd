using System.Text;
using System.Text.Json;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Rain;
using IoTMonitor.Firmware.Core.Tests.Fakes;

namespace IoTMonitor.Firmware.Core.Tests.Node;

/// <summary>
/// Event mode on a flash-flood node (tipping bucket + level probe) through whole wakes on fakes:
/// entering on rainfall or on the level's rise, holding while the condition lasts, leaving after
/// <c>eventHoldSec</c> clear, a remote config arming and disarming it, and a power cut in the middle.
/// </summary>
public sealed class EventModeNodeTests
{
    private const string Topic = "iotmon/v1/huangshui-01/ff-0001/config";

    private static string Document(string eventKeys) => """
        {"v":1,"device":"ff-0001","site":"huangshui-01","type":"water",
         "wifi":{"ssid":"farm","password":"secret"},
         "mqtt":{"host":"gw.local","port":1883,"user":"ff-0001","password":"pw","tls":false},
         "sampleSec":900,"uploadSec":3600,"batchMax":50,"maxAwakeSec":60,
        """ + eventKeys + """
         "sensors":[
           {"id":"rain","kind":"rain-pcf8593","quantity":"rain.total","bus":0,"mmPerTip":0.2,"samples":1},
           {"id":"level","kind":"analog","quantity":"water.level","pin":34,"samples":1}]}
        """;

    private const string Armed = """
        "eventSampleSec":60,"eventHoldSec":600,"eventRainWindowSec":600,"eventRainMm":5,"eventRiseWindowSec":1800,"eventRiseM":0.3,
        """;

    /// <summary>A tip counter that keeps counting through the node's resets, as the PCF8593 on the always-on rail does.</summary>
    private sealed class Counter : ITipCounter
    {
        public long Count { get; set; }

        public long Modulus => 1_000_000;

        public ReadResult Read(out long count, out bool restarted)
        {
            count = Count % Modulus;
            restarted = false;
            return ReadResult.Ok;
        }

        /// <summary>The count the node last armed the alarm at (−1: off), as the PCF8593's 09h–0Bh hold it.</summary>
        public long AlarmAt { get; private set; } = -1;

        /// <summary>Tips that fall while the node arms the alarm (the wake is seconds long).</summary>
        public int TipsWhileArming { get; set; }

        public ReadResult ArmAlarm(long alarmCount)
        {
            AlarmAt = alarmCount % Modulus;
            Count += TipsWhileArming;
            return ReadResult.Ok;
        }

        public ReadResult DisarmAlarm()
        {
            AlarmAt = -1;
            return ReadResult.Ok;
        }
    }

    private sealed class Node
    {
        public NodeHarness H { get; }
        public Counter Gauge { get; } = new();
        public FakeSensor Level { get; } = new(1) { Values = [1.0] };

        public Node(string eventKeys)
        {
            H = new NodeHarness { ConfigBytes = Encoding.UTF8.GetBytes(Document(eventKeys)) };
            H.Sensors.ById["level"] = Level;
            H.OnCycle = c => H.Sensors.Drivers["rain"] = new RainGaugeSensor(Gauge, c.RainTally, 0.2);
        }

        public int Telemetry => H.Link.Telemetry.Count();

        public JsonElement LastBatch() => JsonDocument.Parse(H.Link.Telemetry.Last()).RootElement;

        public string LastOnline() => H.Link.Published.Last(m => m.Topic.EndsWith("/status") && m.Payload.Contains("\"online\"")).Payload;

        public List<double> RainTotals(int boot) => H.Received().Where(r => r.Boot == boot && r.Q == "rain.total").Select(r => r.V!.Value).ToList();
    }

    [Fact]
    public void Enters_on_rainfall_over_the_window_samples_fast_uploads_every_wake_then_leaves_after_the_hold()
    {
        var n = new Node(Armed);
        NodeCycleResult r = n.H.Wake(); // cold start: counter reference
        Assert.False(r.EventMode);
        AssertInterval(900, r);
        n.H.Wake();
        int quiet = n.Telemetry;

        n.Gauge.Count += 30; // 6 mm in the last 15 min: over 5 mm in 600 s
        r = n.H.Wake();
        Assert.Equal(1, r.EventChange);
        Assert.True(r.EventMode);
        AssertInterval(60, r);
        Assert.Equal(quiet + 1, n.Telemetry); // uploaded in the wake that entered
        Assert.Equal(1, n.LastBatch().GetProperty("h").GetProperty("ev").GetInt32());
        Assert.Contains("\"ev\":1", n.LastOnline());
        Assert.Contains("\"wake\":60", n.LastOnline());

        // Holding: it keeps raining 1 tip a minute; every wake samples and uploads.
        for (int i = 0; i < 5; i++)
        {
            int before = n.Telemetry;
            n.Gauge.Count += 1;
            r = n.H.Wake();
            Assert.True(r.EventMode);
            Assert.Equal(0, r.EventChange);
            AssertInterval(60, r);
            Assert.Equal(before + 1, n.Telemetry);
        }

        // Rain stops. The 6 mm burst leaves the 600 s window about 600 s after it fell (5 wakes after
        // the trickle above, which alone is 2 mm per 600 s), then the condition must stay clear 600 s.
        int wakes = 0;
        do
        {
            r = n.H.Wake();
            wakes++;
        }
        while (r.EventChange != -1 && wakes < 40);

        Assert.Equal(-1, r.EventChange);
        Assert.False(r.EventMode);
        Assert.InRange(wakes, 13, 17); // ≈ 300 s until clear + 600 s hold, at 60 s per wake
        AssertInterval(900, r);
        Assert.False(n.LastBatch().GetProperty("h").TryGetProperty("ev", out _)); // the leaving wake's batch has no ev
        Assert.DoesNotContain("\"ev\"", n.LastOnline());

        // rain.total is monotonic within the boot and ends at the gauge's 35 tips × 0.2 mm.
        var totals = n.RainTotals(1);
        Assert.Equal(totals.OrderBy(v => v), totals);
        Assert.Equal(7.0, totals[^1], 6);
    }

    [Fact]
    public void Arms_the_counter_alarm_at_the_tips_the_window_lacks_and_a_counter_wake_enters_and_uploads_at_once()
    {
        var n = new Node(Armed);
        NodeCycleResult r = n.H.Wake(); // cold start: reference 0, no rain in the window
        Assert.True(r.RainWakeArmed);
        Assert.True(n.H.Power.CounterWake); // EXT1 on the counter's INT for this sleep
        Assert.Equal(25, n.Gauge.AlarmAt); // 5 mm / 0.2 mm per tip

        n.Gauge.Count += 10; // 2 mm by the next scheduled sampling: 3 mm (15 tips) still lacking
        r = n.H.Wake();
        Assert.False(r.EventMode);
        Assert.Equal(25, n.Gauge.AlarmAt);
        int quiet = n.Telemetry;

        // The 15th tip pulls INT low: the host wakes the node with the counter as the cause, long
        // before the 900-s timer. The wake samples, enters event mode and uploads in the same wake.
        n.Gauge.Count += 15;
        n.H.OnCycle = c =>
        {
            n.H.Sensors.Drivers["rain"] = new RainGaugeSensor(n.Gauge, c.RainTally, 0.2);
            c.WokenByCounter = true;
        };
        n.H.Clock.Advance(-(r.SleepSeconds - 120) * 1000L); // the harness slept the whole interval: the INT came 120 s in
        r = n.H.Wake();
        Assert.Equal(1, r.EventChange);
        Assert.True(r.EventMode);
        Assert.Equal(quiet + 1, n.Telemetry);
        Assert.Equal(-1, n.Gauge.AlarmAt); // sampling every 60 s in event mode: no alarm needed
        Assert.False(r.RainWakeArmed);
    }

    [Fact]
    public void Tips_that_reach_the_alarm_count_while_the_node_arms_it_make_it_sample_again_at_once()
    {
        var n = new Node(Armed);
        n.H.Wake();
        n.Gauge.Count += 24; // 4.8 mm: one tip lacking
        n.Gauge.TipsWhileArming = 2; // heavy rain: two tips during the wake, past the alarm count before it is on
        NodeCycleResult r = n.H.Wake();
        Assert.False(r.EventMode);
        Assert.Equal(1, r.SleepSeconds); // the alarm would only come after a wrap: sample again now
        n.Gauge.TipsWhileArming = 0;
        r = n.H.Wake();
        Assert.Equal(1, r.EventChange);
    }

    [Fact]
    public void Enters_on_the_levels_rise_within_its_window()
    {
        var n = new Node(Armed);
        n.H.Wake();
        n.Level.Values = [1.1];
        Assert.False(n.H.Wake().EventMode);
        n.Level.Values = [1.45]; // 0.35 m above the lowest (1.0) within 1800 s
        NodeCycleResult r = n.H.Wake();
        Assert.Equal(1, r.EventChange);
        AssertInterval(60, r);
    }

    [Fact]
    public void A_remote_config_arms_event_mode_and_a_later_one_disarms_it_at_once()
    {
        var n = new Node(string.Empty); // flashed without thresholds: never enters
        n.H.Wake();
        n.Gauge.Count += 100;
        Assert.False(n.H.Wake().EventMode);

        n.H.Link.Inbox.Enqueue((Topic, """{"v":1,"rev":2,"eventSampleSec":120,"eventRainMm":5,"eventRainWindowSec":1800}"""));
        for (int i = 0; i < 6 && n.H.Link.Inbox.Count > 0; i++)
        {
            n.H.Wake();
        }

        Assert.Empty(n.H.Link.Inbox);
        Assert.False(n.H.Wake().EventMode); // armed from here: its windows start now
        n.Gauge.Count += 30;
        NodeCycleResult r = n.H.Wake();
        Assert.True(r.EventMode);
        AssertInterval(120, r);

        // Every event wake connects, so the disarming config arrives in the next wake and the
        // sampling after it leaves without waiting for the hold.
        n.H.Link.Inbox.Enqueue((Topic, """{"v":1,"rev":3}"""));
        n.Gauge.Count += 30;
        r = n.H.Wake();
        Assert.True(r.EventMode);
        Assert.Empty(n.H.Link.Inbox);
        r = n.H.Wake();
        Assert.Equal(-1, r.EventChange);
        AssertInterval(900, r);
    }

    [Fact]
    public void A_node_without_event_thresholds_never_writes_the_event_record()
    {
        var n = new Node(string.Empty);
        for (int i = 0; i < 4; i++)
        {
            n.Gauge.Count += 50;
            NodeCycleResult r = n.H.Wake();
            Assert.False(r.EventMode);
            Assert.False(r.RainWakeArmed);
        }

        Assert.Equal(-1, n.Gauge.AlarmAt); // no alarm, no EXT1: the node keeps its schedule
        Assert.False(n.H.Power.CounterWake);
        Assert.False(n.H.Flash.Exists("event.a"));
        Assert.False(n.H.Flash.Exists("event.b"));
    }

    [Fact]
    public void Event_mode_and_the_rain_count_survive_a_power_cut()
    {
        var n = new Node(Armed);
        n.H.Wake();
        n.Gauge.Count += 40; // 8 mm
        Assert.True(n.H.Wake().EventMode);
        n.Gauge.Count += 5;
        n.H.Wake();
        Assert.Equal(9.0, n.RainTotals(1)[^1], 6);

        // Tips while the node is down (the counter kept power), then a cold start.
        n.Gauge.Count += 7;
        n.H.Power.ResetReason = ResetReason.PowerOn;
        NodeCycleResult r = n.H.Wake();
        Assert.True(r.EventMode); // still in event mode: the record is in flash
        AssertInterval(60, r);
        Assert.Equal(2, n.LastBatch().GetProperty("boot").GetInt32());
        Assert.Equal(1, n.LastBatch().GetProperty("h").GetProperty("ev").GetInt32());

        // Boot 2 starts from the tips since boot 1's last reading: 7 tips = 1.4 mm; none lost or twice.
        Assert.Equal(1.4, n.RainTotals(2)[0], 6);
        Assert.Equal(52 * 0.2, n.RainTotals(1)[^1] + n.RainTotals(2)[^1], 6);
    }

    /// <summary>The node sleeps until <paramref name="sec"/> after its sampling began (the wake's own seconds come off).</summary>
    private static void AssertInterval(int sec, NodeCycleResult r) => Assert.InRange(r.SleepSeconds, sec - 20, sec);

    [Fact]
    public void Parser_reads_the_event_keys_and_refuses_values_out_of_range()
    {
        var parser = new ConfigParser();
        var c = new DeviceConfig();
        byte[] doc = Encoding.UTF8.GetBytes(Document(Armed));
        Assert.Equal(ConfigError.None, parser.ParseDevice(doc, 0, doc.Length, c));
        Assert.Equal(60, c.EventSampleSec);
        Assert.Equal(600, c.EventHoldSec);
        Assert.Equal(5, c.EventRainMm);
        Assert.Equal(0.3, c.EventRiseM);
        Assert.Equal(0.2, c.Sensors[0].MmPerTip);

        foreach (var bad in new[] { "\"eventSampleSec\":5,", "\"eventRainMm\":-1,", "\"eventRiseM\":\"high\",", "\"eventRainWindowSec\":10," })
        {
            byte[] b = Encoding.UTF8.GetBytes(Document(bad));
            Assert.NotEqual(ConfigError.None, parser.ParseDevice(b, 0, b.Length, new DeviceConfig()));
        }
    }
}
