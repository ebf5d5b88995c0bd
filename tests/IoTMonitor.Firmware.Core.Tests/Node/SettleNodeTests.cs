using System.Text;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Tests.Fakes;

namespace IoTMonitor.Firmware.Core.Tests.Node;

/// <summary>A whole air-node wake with the settle waits (SensorSettle): once, from power-on, and its readings clean.</summary>
public class SettleNodeTests
{
    private const string AirConfig = """
        {"v":1,"device":"aq-0001","site":"yellow-river-01","type":"air",
         "wifi":{"ssid":"farm","password":"secret"},
         "mqtt":{"host":"gw.local","port":1883,"user":"aq-0001","password":"pw","tls":false},
         "sampleSec":900,"uploadSec":3600,"batchMax":50,"maxAwakeSec":90,
         "sensors":[
           {"id":"bme","kind":"bme280","quantity":"air.temp","bus":1,"address":118,"samples":3,"filter":"median"},
           {"id":"co2","kind":"scd4x","quantity":"air.co2","bus":1,"address":98,"samples":1,"filter":"none","warmupMs":5000},
           {"id":"pm","kind":"pms5003","quantity":"air.pm25","tx":23,"rx":13,"samples":3,"filter":"median","warmupMs":30000}]}
        """;

    [Fact]
    public void An_air_wake_waits_the_fans_30_s_once_drops_the_first_co2_shot_and_flags_nothing()
    {
        var h = new NodeHarness { ConfigBytes = Encoding.UTF8.GetBytes(AirConfig) };
        h.Link.NetworkUp = false; // the first wake tries to upload until the awake cap
        var co2 = new FakeSensor(1, warmupMs: 5000) { Sequence = i => i == 0 ? [9999.0] : [431.0] };
        h.Sensors.ById["bme"] = new FakeSensor(1, warmupMs: 10) { Values = [18.5] };
        h.Sensors.ById["co2"] = co2;
        h.Sensors.ById["pm"] = new FakeSensor(1, warmupMs: 30000) { Values = [12.0] };
        long start = h.Clock.Millis;
        var r = h.Wake();
        long awakeMs = h.Clock.Millis - start - (r.SleepSeconds * 1000L);

        Assert.Equal(3, r.Sampled);
        var batch = new Reading[8];
        int n = h.Last!.Queue.BeginBatch(batch, batch.Length, out _);
        var readings = batch[..n];

        Assert.Equal([18.5, 431.0, 12.0], readings.Select(x => x.Value));
        Assert.All(readings, x => Assert.Equal(0, x.Flags));
        Assert.Equal(2, co2.Starts);
        Assert.InRange(awakeMs, 30_000, 90_000); // the fan's 30 s, then the link's tries up to maxAwakeSec
    }
}
