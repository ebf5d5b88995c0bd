using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors.Calibration;
using IoTMonitor.Firmware.Core.Tests.Node;

namespace IoTMonitor.Firmware.Core.Tests.Config;

/// <summary>The remote <c>calibrations</c> key, <c>calMaxAgeDays</c> and the remote size limit (docs/config.md).</summary>
public class RemoteCalibrationParserTests
{
    private const string PhRecord = """{"sensor":"ph","id":"cal-20261201-ph","kind":"ph","points":[[1.41,7.0],[1.93,4.01]],"tempC":21.5,"at":1764547200}""";

    private static DeviceConfig Flashed()
    {
        var c = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(NodeHarness.Config);
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(b, 0, b.Length, c));
        return c;
    }

    private static (ConfigError Error, int Rev) Remote(DeviceConfig baseConfig, DeviceConfig into, string json)
    {
        var b = Encoding.UTF8.GetBytes(json);
        var e = new ConfigParser().ParseRemote(b, 0, b.Length, baseConfig, into, out int rev);
        return (e, rev);
    }

    [Fact]
    public void A_remote_record_replaces_the_flashed_record_of_its_sensor_and_leaves_the_flashed_config_alone()
    {
        var flashed = Flashed();
        var flashedPh = flashed.Sensors[1];
        var into = new DeviceConfig();

        var (e, rev) = Remote(flashed, into, $$"""{"v":1,"rev":4,"calibrations":[{{PhRecord}}]}""");

        Assert.Equal((ConfigError.None, 4), (e, rev));
        var ph = into.Sensors[1].Calibration;
        Assert.Equal(("cal-20261201-ph", CalibrationKind.Ph, 2), (ph.Id, ph.Kind, ph.PointCount));
        Assert.Equal((1.41, 7.0, 1.93, 4.01), (ph.Raw(0), ph.Reference(0), ph.Raw(1), ph.Reference(1)));
        Assert.Equal((21.5, 1_764_547_200L), (ph.TemperatureC, ph.CreatedUnixSeconds));

        // The rest of the entry is the flashed one; the flashed config itself keeps its record.
        Assert.Equal((flashedPh.Id, flashedPh.Pin, flashedPh.Samples, flashedPh.WarmupMs), (into.Sensors[1].Id, into.Sensors[1].Pin, into.Sensors[1].Samples, into.Sensors[1].WarmupMs));
        Assert.Same(flashedPh.Quantities, into.Sensors[1].Quantities);
        Assert.Same(flashed.Sensors[0], into.Sensors[0]);
        Assert.Equal("cal-1", flashed.Sensors[1].Calibration.Id);
        Assert.Same(flashedPh, flashed.Sensors[1]);
        Assert.Equal("cal-20261201-ph", into.BatchCalibrationId());
    }

    [Fact]
    public void A_device_document_ignores_a_calibrations_key_its_records_live_in_the_sensor_entries()
    {
        var doc = NodeHarness.Config.Replace("\"thresholds\":", $$"""
            "calibrations":[{{PhRecord}}],"thresholds":
            """.Trim());
        var c = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(doc);
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(b, 0, b.Length, c));
        Assert.Equal("cal-1", c.Sensors[1].Calibration.Id);
    }

    [Theory]
    [InlineData("""{"sensor":"orp","id":"c","kind":"ph","points":[[1.5,7],[2,4]]}""", ConfigError.UnknownSensor)]
    [InlineData("""{"id":"c","kind":"ph","points":[[1.5,7],[2,4]]}""", ConfigError.MissingField)]
    [InlineData("""{"sensor":"ph","kind":"ph","points":[[1.5,7],[2,4]]}""", ConfigError.MissingField)]
    [InlineData("""{"sensor":"ph","id":"c","points":[[1.5,7],[2,4]]}""", ConfigError.MissingField)]
    [InlineData("""{"sensor":"ph","id":"c","kind":"orp","points":[[1.5,7],[2,4]]}""", ConfigError.UnknownKind)]
    [InlineData("""{"sensor":"ph","id":"c","kind":"ph","points":[[1.5,7],[1.5,4]]}""", ConfigError.BadCalibration)]
    [InlineData("""{"sensor":"ph","id":"c","kind":"ph","points":[[1.5,7]]}""", ConfigError.BadCalibration)]
    [InlineData("""{"sensor":"ph","id":"c","kind":"ec","points":[[0.23,1413]]}""", ConfigError.BadCalibration)] // not the pH probe's kind
    [InlineData("""{"sensor":"temp","id":"c","kind":"linear","points":[[1,1]]}""", ConfigError.BadCalibration)] // a DS18B20 takes no record
    [InlineData("""{"sensor":"ph","id":"c","kind":"ph","points":[[1.5,7],[2,4]],"tempC":60}""", ConfigError.BadValue)]
    [InlineData("""{"sensor":"ph","id":"c","kind":"ph","points":[[1.5,7],[2,4]],"at":-5}""", ConfigError.BadValue)]
    [InlineData("""{"sensor":"ph","id":"0123456789012345678901234567890123","kind":"ph","points":[[1.5,7],[2,4]]}""", ConfigError.BadValue)]
    [InlineData("""{"sensor":"ph","id":"a","kind":"ph","points":[[1.5,7],[2,4]]},{"sensor":"ph","id":"b","kind":"ph","points":[[1.5,7],[2,4]]}""", ConfigError.BadValue)] // one probe, two records
    [InlineData("""{"sensor":"ph","id":"c","kind":"ph","points":[[1.5,7],[2,4]]},"x" """, ConfigError.BadValue)]
    public void A_record_the_config_or_the_probe_refuses_is_refused_and_nothing_changes(string entries, ConfigError expected)
    {
        var flashed = Flashed();
        var into = new DeviceConfig();
        var before = into.Sensors;

        var (e, rev) = Remote(flashed, into, $$"""{"v":1,"rev":9,"calibrations":[{{entries}}]}""");

        Assert.Equal(expected, e);
        Assert.Equal(9, rev); // rev comes first, so the ack can name it
        Assert.Same(before, into.Sensors);
        Assert.Equal("cal-1", flashed.Sensors[1].Calibration.Id);
    }

    [Fact]
    public void An_ec_record_whose_cell_factor_is_outside_the_boards_limits_is_refused()
    {
        var doc = NodeHarness.Config.Replace("""{"id":"temp",""", """{"id":"ec","kind":"analog","quantity":["water.ec","water.tds"],"pin":39},{"id":"temp",""");
        var flashed = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(doc);
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(b, 0, b.Length, flashed));

        var ok = Remote(flashed, new DeviceConfig(), """{"v":1,"rev":1,"calibrations":[{"sensor":"ec","id":"cal-ec","kind":"ec","points":[[0.2317,1413]]}]}""");
        var farOff = Remote(flashed, new DeviceConfig(), """{"v":1,"rev":1,"calibrations":[{"sensor":"ec","id":"cal-ec","kind":"ec","points":[[0.2317,14130]]}]}""");

        Assert.Equal(ConfigError.None, ok.Error);
        Assert.Equal(ConfigError.BadCalibration, farOff.Error); // K ≈ 10, the probe takes 0.5–1.5
    }

    [Fact]
    public void More_than_16_calibrations_are_too_many()
    {
        // 16 battery dividers, each with a valid record, and a 17th record.
        var sensors = Enumerable.Range(0, 16).Select(i => $$"""{"id":"bat{{i}}","kind":"battery","quantity":"device.battery","pin":{{i}}}""");
        var doc = Encoding.UTF8.GetBytes($$"""{"v":1,"device":"a","site":"b","type":"water","wifi":{},"mqtt":{"host":"h"},"sensors":[{{string.Join(",", sensors)}}]}""");
        var flashed = new DeviceConfig();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(doc, 0, doc.Length, flashed));
        var records = Enumerable.Range(0, 17).Select(i => $$"""{"sensor":"bat{{i % 16}}","id":"c{{i}}","kind":"linear","points":[[1.9,3.99]]}""").ToList();

        var sixteen = Remote(flashed, new DeviceConfig(), $$"""{"v":1,"rev":1,"calibrations":[{{string.Join(",", records.Take(16))}}]}""");
        var seventeen = Remote(flashed, new DeviceConfig(), $$"""{"v":1,"rev":1,"calibrations":[{{string.Join(",", records)}}]}""");

        Assert.Equal(ConfigError.None, sixteen.Error);
        Assert.Equal(ConfigError.TooMany, seventeen.Error);
    }

    [Fact]
    public void CalMaxAgeDays_is_read_at_the_top_and_per_sensor_and_checked()
    {
        var doc = NodeHarness.Config
            .Replace("\"sampleSec\":900,", "\"sampleSec\":900,\"calMaxAgeDays\":45,")
            .Replace("\"warmupMs\":2000,", "\"warmupMs\":2000,\"calMaxAgeDays\":0,");
        var c = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(doc);
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(b, 0, b.Length, c));
        Assert.Equal((45, -1, 0), (c.CalMaxAgeDays, c.Sensors[0].CalMaxAgeDays, c.Sensors[1].CalMaxAgeDays));

        var into = new DeviceConfig();
        Assert.Equal(ConfigError.None, Remote(c, into, """{"v":1,"rev":2,"calMaxAgeDays":100}""").Error);
        Assert.Equal(100, into.CalMaxAgeDays);
        Assert.Equal(ConfigError.BadValue, Remote(c, into, """{"v":1,"rev":3,"calMaxAgeDays":-1}""").Error);
        Assert.Equal(ConfigError.BadValue, Remote(c, into, """{"v":1,"rev":3,"calMaxAgeDays":3651}""").Error);
        Assert.Equal(100, into.CalMaxAgeDays);
    }

    [Fact]
    public void A_remote_config_over_the_limit_is_refused_whole_and_its_rev_is_still_found_in_its_first_bytes()
    {
        var big = "{\"v\":1,\"rev\":77,\"sampleSec\":300,\"pad\":\"" + new string('x', ConfigParser.MaxRemoteBytes) + "\"}";
        var b = Encoding.UTF8.GetBytes(big);
        var into = Flashed();
        var parser = new ConfigParser();

        Assert.Equal(ConfigError.TooLarge, parser.ParseRemote(b, 0, b.Length, into, out int rev));
        Assert.Equal(-1, rev);
        Assert.Equal(900, into.SampleSec);

        // What the node has of it: the link's first MaxRemoteBytes bytes.
        Assert.Equal(77, parser.RemoteRevision(b, 0, ConfigParser.MaxRemoteBytes));
        Assert.Equal(-1, parser.RemoteRevision(b, 0, 10)); // cut before rev
        Assert.Equal(-1, parser.RemoteRevision("""{"v":1,"sampleSec":300}"""u8.ToArray(), 0, 23));
    }

    /// <summary>
    /// The limit's reason (ConfigParser.MaxRemoteBytes): every remote key at its maximum — 16
    /// records of 8 points (written as CalibrationRecordWriter writes them, 6 decimals) with
    /// 32-character ids, 16 thresholds with long numbers — fits and parses.
    /// </summary>
    [Fact]
    public void The_largest_remote_config_fits_the_limit_and_parses()
    {
        var sensors = new List<string>();
        var records = new List<string>();
        var buffer = new byte[1024];
        for (int pin = 20; pin <= 35; pin++)
        {
            string id = $"turbidity-probe-on-gpio-{pin}".PadRight(32, 'x');
            sensors.Add($$"""{"id":"{{id}}","kind":"analog","quantity":"water.turbidity","pin":{{pin}}}""");
            var raw = Enumerable.Range(0, 8).Select(i => 1.123456 + (0.111111 * i)).ToArray();
            var ntu = Enumerable.Range(0, 8).Select(i => 3999.123456 - (444.444444 * i)).ToArray();
            var record = new CalibrationRecord($"cal-20261201-turbidity-gpio{pin}".PadRight(32, 'x'), CalibrationKind.Linear, raw, ntu, 8, 0.012345, 23.45, 1_764_547_200);
            int n = CalibrationRecordWriter.Write(record, buffer, 0, buffer.Length);
            records.Add($$"""{"sensor":"{{id}}",""" + Encoding.UTF8.GetString(buffer, 1, n - 1));
        }

        var thresholds = Enumerable.Range(0, 16).Select(i => $$"""{"q":"water.turbidity","above":{{3999.123 - i}},"below":{{0.123 + i}}}""");
        string remote = $$"""{"v":1,"rev":2147483647,"sampleSec":86400,"uploadSec":604800,"batchMax":200,"maxAwakeSec":600,"calMaxAgeDays":3650,"thresholds":[{{string.Join(",", thresholds)}}],"calibrations":[{{string.Join(",", records)}}]}""";
        var flashed = new DeviceConfig();
        var doc = Encoding.UTF8.GetBytes($$"""{"v":1,"device":"a","site":"b","type":"water","wifi":{},"mqtt":{"host":"h"},"sensors":[{{string.Join(",", sensors)}}]}""");
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(doc, 0, doc.Length, flashed));

        var bytes = Encoding.UTF8.GetBytes(remote);
        var into = new DeviceConfig();

        Assert.InRange(bytes.Length, 6000, ConfigParser.MaxRemoteBytes);
        Assert.Equal(ConfigError.None, new ConfigParser().ParseRemote(bytes, 0, bytes.Length, flashed, into, out _));
        Assert.Equal(16, into.Sensors.Length);
        Assert.All(into.Sensors, s => Assert.Equal(8, s.Calibration.PointCount));
        Assert.Equal(16, into.Thresholds.Length);
        Assert.Equal(Quantities.WaterTurbidity, into.Thresholds[15].Quantity);
    }
}
