using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors.Analog;

using FakeAnalogInput = IoTMonitor.Firmware.Core.Tests.Fakes.Sensors.FakeAnalogInput;

namespace IoTMonitor.Firmware.Core.Tests.Node;

/// <summary>
/// Remote config on a node (protocol §6): the flashed config plus the newest overlay, exactly as
/// a reboot builds it; remote calibration records; calibration expiry; the health <c>bat</c>.
/// </summary>
public class RemoteConfigTests
{
    private const string ConfigTopic = "iotmon/v1/yellow-river-01/wq-0001/config";
    private const string FlashedPhPoints = "\"points\":[[1.5,7.0],[2.0,4.0]]}";

    private const string RemotePh = """{"sensor":"ph","id":"cal-20261128-ph","kind":"ph","points":[[1.4,7.0],[1.9,4.01]],"tempC":22.0,"at":1764288000}""";

    /// <summary>The harness node without the flashed pH record: it reads UNCALIBRATED.</summary>
    private static NodeHarness Uncalibrated()
    {
        var h = new NodeHarness();
        string config = Regex.Replace(NodeHarness.Config, @",\s*""calibration"":\{[^}]*\}", "");
        Assert.NotEqual(NodeHarness.Config, config);
        h.ConfigBytes = Encoding.UTF8.GetBytes(config);
        return h;
    }

    private static List<string> Acks(NodeHarness h) =>
        h.Link.Published.Where(m => m.Topic.EndsWith("/config/ack")).Select(m => m.Payload).ToList();

    /// <summary>Delivers messages and wakes until the node has answered every one of them (it connects hourly).</summary>
    private static void Deliver(NodeHarness h, params (string Topic, string Payload)[] messages)
    {
        foreach (var m in messages)
        {
            h.Link.Inbox.Enqueue(m);
        }

        for (int i = 0; i < 30 && h.Link.Inbox.Count > 0; i++)
        {
            h.Wake();
        }

        Assert.Empty(h.Link.Inbox);
    }

    /// <summary>A cold start on the same flash: what the node would run after a reboot.</summary>
    private static DeviceConfig Reboot(NodeHarness h)
    {
        h.Power.ResetReason = ResetReason.PowerOn;
        var cycle = new NodeCycle(h.Clock, h.Link, h.Power, h.Sensors, h.Files, NodeHarness.QueueBudget, h.ConfigBytes);
        cycle.Run();
        h.Power.ResetReason = ResetReason.DeepSleepWake;
        return cycle.Config;
    }

    private static (int SampleSec, int UploadSec, int BatchMax, string Thresholds, string? PhRecord, int MaxAge) Summary(DeviceConfig c) =>
        (c.SampleSec, c.UploadSec, c.BatchMax, string.Join(";", c.Thresholds.Select(t => $"{t.Quantity}<{t.Below}>{t.Above}")), c.Sensors[1].Calibration?.Id, c.CalMaxAgeDays);

    private static List<(JsonElement Batch, JsonElement Reading)> Readings(NodeHarness h, string quantity)
    {
        var list = new List<(JsonElement, JsonElement)>();
        foreach (var p in h.Link.Telemetry)
        {
            var root = JsonDocument.Parse(p).RootElement;
            list.AddRange(root.GetProperty("r").EnumerateArray().Where(r => r[2].GetString() == quantity).Select(r => (root, r)));
        }

        return list;
    }

    [Fact]
    public void A_new_overlay_replaces_the_previous_one_and_the_config_in_force_is_what_a_reboot_gives()
    {
        var h = new NodeHarness();
        Deliver(h, (ConfigTopic, """{"v":1,"rev":1,"sampleSec":300,"batchMax":20,"thresholds":[{"q":"water.ph","above":9}]}"""));
        Assert.Equal((300, 20), (h.Last!.Config.SampleSec, h.Last.Config.BatchMax));

        // The gateway publishes the complete overlay: keys rev 1 set and rev 2 lacks are the flashed ones again.
        Deliver(h, (ConfigTopic, """{"v":1,"rev":2,"uploadSec":7200}"""));
        var live = Summary(h.Last!.Config);

        Assert.Equal((900, 7200, 50, $"{Quantities.WaterPh}<5>0", "cal-1", 0), live);
        Assert.Equal(live, Summary(Reboot(h)));
        Assert.Equal(["""{"v":1,"rev":1,"ok":true,"err":0}""", """{"v":1,"rev":2,"ok":true,"err":0}"""], Acks(h));
    }

    [Fact]
    public void A_refused_overlay_leaves_the_config_in_force_and_the_saved_overlay_as_they_were()
    {
        var h = new NodeHarness();
        Deliver(h, (ConfigTopic, $$"""{"v":1,"rev":1,"sampleSec":300,"calibrations":[{{RemotePh}}]}"""));
        var applied = Summary(h.Last!.Config);
        Assert.Equal((300, "cal-20261128-ph"), (applied.SampleSec, applied.PhRecord));

        Deliver(
            h,
            (ConfigTopic, """{"v":1,"rev":2,"sampleSec":600,"calibrations":[{"sensor":"orp","id":"c","kind":"ph","points":[[1.5,7],[2,4]]}]}"""),
            (ConfigTopic, """{"v":1,"rev":3,"sampleSec":600,"calibrations":[{"sensor":"ph","id":"c","kind":"ec","points":[[0.23,1413]]}]}"""),
            (ConfigTopic, """{"v":1,"rev":4,"sampleSec":"x"}"""));

        Assert.Equal(
        [
            """{"v":1,"rev":2,"ok":false,"err":11}""",
            """{"v":1,"rev":3,"ok":false,"err":9}""",
            """{"v":1,"rev":4,"ok":false,"err":3}""",
        ], Acks(h).Skip(1));
        Assert.Equal(applied, Summary(h.Last!.Config));
        Assert.Equal(applied, Summary(Reboot(h)));
    }

    [Fact]
    public void A_remote_config_too_large_for_the_node_is_refused_with_its_rev_and_changes_nothing()
    {
        var h = new NodeHarness();
        string big = "{\"v\":1,\"rev\":7,\"sampleSec\":300,\"note\":\"" + new string('x', ConfigParser.MaxRemoteBytes) + "\"}";
        Deliver(h, (ConfigTopic, big));

        Assert.Equal(["""{"v":1,"rev":7,"ok":false,"err":12}"""], Acks(h));
        Assert.Equal(900, h.Last!.Config.SampleSec);
        Assert.Equal(900, Reboot(h).SampleSec);
    }

    [Fact]
    public void A_remote_calibration_record_reaches_the_probe_at_the_next_sampling_and_names_the_batch()
    {
        var h = Uncalibrated();
        h.Wake();
        Assert.All(Readings(h, "water.ph"), x => Assert.Equal(QualityFlags.Uncalibrated, x.Reading[4].GetInt32() & QualityFlags.Uncalibrated));
        Assert.All(h.Link.Telemetry, p => Assert.DoesNotContain("\"cal\"", p));

        // Delivered with the hourly upload; the readings of the next hour's wakes carry it.
        Deliver(h, (ConfigTopic, $$"""{"v":1,"rev":5,"calibrations":[{{RemotePh}}]}"""));
        Assert.Equal(["""{"v":1,"rev":5,"ok":true,"err":0}"""], Acks(h));
        for (int i = 0; i < 5; i++)
        {
            h.Wake();
        }

        var after = Readings(h, "water.ph")[^1];
        Assert.Equal(0, after.Reading[4].GetInt32() & QualityFlags.Uncalibrated);
        Assert.Equal("cal-20261128-ph", after.Batch.GetProperty("cal").GetString());

        // The value is the record's conversion at the round's water temperature (14 °C).
        var probe = new PhProbe();
        Assert.Equal(IoTMonitor.Firmware.Core.Sensors.Calibration.CalibrationResult.Ok, probe.Apply(h.Last!.Config.Sensors[1].Calibration));
        probe.TemperatureC = 14.0;
        var v = new double[1];
        probe.Convert(1.5, v);
        Assert.Equal(v[0], after.Reading[3].GetDouble(), 0.0051); // sent at the quantity's resolution
        Assert.NotEqual(7.0, after.Reading[3].GetDouble(), 0.1); // not the vendor defaults
        Assert.Equal("cal-20261128-ph", Reboot(h).Sensors[1].Calibration.Id);
    }

    [Fact]
    public void An_expired_record_flags_uncalibrated_once_the_clock_is_synced()
    {
        var h = new NodeHarness(utc: 5); // power-on: the RTC counts from 0 until SNTP
        string config = NodeHarness.Config
            .Replace(FlashedPhPoints, FlashedPhPoints[..^1] + ",\"at\":1758240000}") // 2025-09-19: 70 days before SNTP's time
            .Replace("\"sampleSec\":900,", "\"sampleSec\":900,\"calMaxAgeDays\":45,");
        Assert.Contains("\"at\":1758240000", config);
        h.ConfigBytes = Encoding.UTF8.GetBytes(config);
        h.Link.SntpTime = null; // the first connects find no SNTP server
        h.Wake();
        h.Link.SntpTime = 1_764_316_800;
        for (int i = 0; i < 12; i++)
        {
            h.Wake();
        }

        var ph = Readings(h, "water.ph").Select(x => x.Reading).ToList();
        var unsynced = ph.Where(r => (r[4].GetInt32() & QualityFlags.TimeEstimated) != 0 || r[1].GetInt64() < 1_600_000_000).ToList();
        var synced = ph.Except(unsynced).ToList();
        Assert.NotEmpty(unsynced);
        Assert.NotEmpty(synced);
        Assert.All(unsynced, r => Assert.Equal(0, r[4].GetInt32() & QualityFlags.Uncalibrated));
        Assert.All(synced, r => Assert.Equal(QualityFlags.Uncalibrated, r[4].GetInt32() & QualityFlags.Uncalibrated));
        Assert.All(ph, r => Assert.Equal(7.0, r[3].GetDouble(), 2)); // still converted with the record
    }

    /// <summary>The harness node with a battery entry calibrated to 3.99 V at 1.9 V on the pin; the host's nominal divider reads 3.8 V.</summary>
    private static NodeHarness WithCalibratedBattery()
    {
        var h = new NodeHarness();
        const string battery = """{"id":"bat","kind":"battery","quantity":"device.battery","pin":35,"samples":3,"calibration":{"id":"cal-bat","kind":"linear","points":[[1.9,3.99]]}},""";
        h.ConfigBytes = Encoding.UTF8.GetBytes(NodeHarness.Config.Replace("{\"id\":\"temp\",", battery + "{\"id\":\"temp\","));
        h.Sensors.Drivers["bat"] = new AnalogProbeSensor(new FakeAnalogInput { Volts = 1.9 }, SensorCatalog.AnalogProbe(Quantities.DeviceBattery));
        h.Power.Battery = 3.8;
        return h;
    }

    private static double HealthBat(string telemetry) =>
        JsonDocument.Parse(telemetry).RootElement.GetProperty("h").GetProperty("bat").GetDouble();

    [Fact]
    public void Health_bat_is_the_battery_entrys_calibrated_reading_not_the_nominal_divider()
    {
        var h = WithCalibratedBattery();

        h.Wake();

        var batch = JsonDocument.Parse(h.Link.Telemetry.Single()).RootElement;
        var reading = batch.GetProperty("r").EnumerateArray().Single(r => r[2].GetString() == "device.battery");
        Assert.Equal(3.99, reading[3].GetDouble());
        Assert.Equal(3.99, batch.GetProperty("h").GetProperty("bat").GetDouble());
    }

    [Fact]
    public void A_wake_that_uploads_without_sampling_reports_the_last_calibrated_bat_not_the_nominal_one()
    {
        var h = WithCalibratedBattery();
        h.Link.NetworkUp = false;
        new NodeCycle(h.Clock, h.Link, h.Power, h.Sensors, h.Files, NodeHarness.QueueBudget, h.ConfigBytes).Run(); // samples; no network

        // Two minutes later (a service-button wake): the backoff is over, no sample is due.
        h.Clock.AdvanceSeconds(120);
        h.Power.ResetReason = ResetReason.DeepSleepWake;
        h.Link.NetworkUp = true;
        var r = new NodeCycle(h.Clock, h.Link, h.Power, h.Sensors, h.Files, NodeHarness.QueueBudget, h.ConfigBytes).Run();

        Assert.Equal((0, 3), (r.Sampled, r.Uploaded));
        Assert.Equal(3.99, HealthBat(h.Link.Telemetry.Single()));
    }

    [Fact]
    public void Health_bat_falls_back_to_the_hosts_reading_without_a_battery_entry()
    {
        var h = new NodeHarness();
        h.Power.Battery = 3.812;
        h.Wake();
        var batch = JsonDocument.Parse(h.Link.Telemetry.Single()).RootElement;
        Assert.Equal(3.812, batch.GetProperty("h").GetProperty("bat").GetDouble());
    }
}
