using System.Text;
using System.Text.Json;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Tests.Fakes;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;
using FakeAnalogInput = IoTMonitor.Firmware.Core.Tests.Fakes.Sensors.FakeAnalogInput;

namespace IoTMonitor.Firmware.Core.Tests.Node;

/// <summary>A virtual node on fakes: flash survives wakes, each wake is a fresh NodeCycle (RAM lost).</summary>
internal sealed class NodeHarness
{
    public const string Config = """
        {"v":1,"device":"wq-0001","site":"yellow-river-01","type":"water",
         "wifi":{"ssid":"farm","password":"secret"},
         "mqtt":{"host":"gw.local","port":1883,"user":"wq-0001","password":"pw","tls":false},
         "sampleSec":900,"uploadSec":3600,"batchMax":50,"maxAwakeSec":60,
         "sensors":[
           {"id":"temp","kind":"ds18b20","quantity":"water.temp","pin":4,"samples":3,"filter":"median"},
           {"id":"ph","kind":"analog","quantity":"water.ph","pin":36,"samples":5,"filter":"trimmed_mean","warmupMs":2000,
            "calibration":{"id":"cal-1","kind":"ph","points":[[1.5,7.0],[2.0,4.0]]}}],
         "thresholds":[{"q":"water.ph","below":5.0}]}
        """;

    public FakeClock Clock { get; }
    public FakeLink Link { get; }
    public FakePower Power { get; } = new();
    public FakeSensorFactory Sensors { get; } = new();

    /// <summary>The pH probe's ADC pin: the harness runs the real pH driver, which applies the config's record.</summary>
    public FakeAnalogInput PhInput { get; } = new() { Volts = 1.5 };
    /// <summary>The ESP32 app's queue budget.</summary>
    public const int QueueBudget = 44 * 4096;

    /// <summary>The node's I: volume (LittleFS model): survives wakes, loses what a wake left uncommitted.</summary>
    public LittleFsVolume Flash { get; } = new();

    public ModelFileStore Files { get; }
    public byte[] ConfigBytes { get; set; } = Encoding.UTF8.GetBytes(Config);
    public NodeCycle? Last { get; private set; }

    /// <summary>Called with each wake's fresh cycle before it runs (the ESP32 app hands its catalog the cycle's rain tally there).</summary>
    public Action<NodeCycle>? OnCycle { get; set; }

    public NodeHarness(long utc = 1_764_316_800)
    {
        Files = new ModelFileStore(Flash);
        Clock = new FakeClock(utc);
        Link = new FakeLink(Clock);
        Sensors.ById["temp"] = new FakeSensor(1) { Values = [14.0] };
        Sensors.Drivers["ph"] = new AnalogProbeSensor(PhInput, new PhProbe(), warmupMs: 1000);
    }

    /// <summary>Runs one wake and then sleeps through the requested time.</summary>
    public NodeCycleResult Wake() => Wake(false, 0);

    /// <summary>A wake by the service button (<paramref name="pin"/>), held low for <paramref name="heldMs"/>.</summary>
    public NodeCycleResult Wake(bool pin, int heldMs)
    {
        Last = new NodeCycle(Clock, Link, Power, Sensors, Files, QueueBudget, ConfigBytes) { WokenByPin = pin, ServiceButtonHeldMs = heldMs };
        OnCycle?.Invoke(Last);
        var r = Last.Run();
        Flash.Reset(); // deep sleep: a reset that closes nothing
        Clock.AdvanceSeconds(r.SleepSeconds);
        Power.ResetReason = ResetReason.DeepSleepWake;
        return r;
    }

    /// <summary>Every reading received by the broker, as (boot, n, t, quantity, value, flags).</summary>
    public List<(int Boot, int N, long T, string Q, double? V, int Flags)> Received()
    {
        var list = new List<(int, int, long, string, double?, int)>();
        foreach (var p in Link.Telemetry)
        {
            using var doc = JsonDocument.Parse(p);
            int boot = doc.RootElement.GetProperty("boot").GetInt32();
            foreach (var r in doc.RootElement.GetProperty("r").EnumerateArray())
            {
                list.Add((boot, r[0].GetInt32(), r[1].GetInt64(), r[2].GetString()!, r[3].ValueKind == JsonValueKind.Null ? null : r[3].GetDouble(), r[4].GetInt32()));
            }
        }

        return list;
    }
}
