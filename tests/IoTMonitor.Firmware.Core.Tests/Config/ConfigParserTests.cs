using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Filters;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Calibration;
using IoTMonitor.Firmware.Core.Tests.Node;

namespace IoTMonitor.Firmware.Core.Tests.Config;

public class ConfigParserTests
{
    private static (ConfigError, DeviceConfig) Parse(string json)
    {
        var c = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(json);
        return (new ConfigParser().ParseDevice(b, 0, b.Length, c), c);
    }

    [Fact]
    public void Reads_every_key_of_the_device_document()
    {
        var (e, c) = Parse(NodeHarness.Config);
        Assert.Equal(ConfigError.None, e);
        Assert.Equal(("wq-0001", "yellow-river-01", "water"), (c.Device, c.Site, c.Type));
        Assert.Equal(("farm", "secret", "gw.local", 1883, "wq-0001", "pw", false), (c.WifiSsid, c.WifiPassword, c.MqttHost, c.MqttPort, c.MqttUser, c.MqttPassword, c.MqttTls));
        Assert.Equal((900, 3600, 50, 60), (c.SampleSec, c.UploadSec, c.BatchMax, c.MaxAwakeSec));
        Assert.Equal(2, c.Sensors.Length);
        var ph = c.Sensors[1];
        Assert.Equal(("ph", "analog", 36, 5, FilterKind.TrimmedMean, 2000), (ph.Id, ph.Kind, ph.Pin, ph.Samples, ph.Filter, ph.WarmupMs));
        Assert.Equal([Quantities.WaterPh], ph.Quantities);
        Assert.Equal(("cal-1", CalibrationKind.Ph, 2), (ph.Calibration.Id, ph.Calibration.Kind, ph.Calibration.PointCount));
        Assert.Equal((1.5, 7.0, 2.0, 4.0), (ph.Calibration.Raw(0), ph.Calibration.Reference(0), ph.Calibration.Raw(1), ph.Calibration.Reference(1)));
        Assert.Equal((25.0, 0L), (ph.Calibration.TemperatureC, ph.Calibration.CreatedUnixSeconds)); // defaults of tempC and at
        Assert.Single(c.Thresholds);
        Assert.True(c.Thresholds[0].HasBelow);
        Assert.Equal(5.0, c.Thresholds[0].Below);
    }

    [Theory]
    [InlineData("nope", ConfigError.NotJson)]
    [InlineData("[]", ConfigError.NotJson)]
    [InlineData("""{"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"}}""", ConfigError.BadVersion)]
    [InlineData("""{"v":2,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"}}""", ConfigError.BadVersion)]
    [InlineData("""{"v":1,"site":"b","type":"air","wifi":{},"mqtt":{"host":"h"}}""", ConfigError.MissingField)]
    [InlineData("""{"v":1,"device":"A","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"}}""", ConfigError.BadId)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"sea","wifi":{},"mqtt":{"host":"h"}}""", ConfigError.BadValue)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sampleSec":1}""", ConfigError.BadValue)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.foo"}]}""", ConfigError.UnknownQuantity)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.temp","filter":"mean"}]}""", ConfigError.UnknownKind)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.temp","calibration":{"kind":"ph","points":[[1,2]]}}]}""", ConfigError.BadCalibration)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.temp","calibration":{"kind":"linear","points":[[1,2],[1,3]]}}]}""", ConfigError.BadCalibration)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.temp","calibration":{"kind":"ph","points":[[1,7],[2,4]]}}]}""", ConfigError.MissingField)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.temp","calibration":{"id":"c","kind":"level","points":[[1,0]]}}]}""", ConfigError.BadCalibration)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.temp","calibration":{"id":"c","kind":"ec","points":[[1,1413],[2,12880],[3,20000]]}}]}""", ConfigError.BadCalibration)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.temp","calibration":{"id":"c","kind":"ph","points":[[1,7],[2,4]],"tempC":80}}]}""", ConfigError.BadValue)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.temp","calibration":{"id":"c","kind":"ph","points":[[1,7],[2,4]],"at":-1}}]}""", ConfigError.BadValue)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"sensors":[{"id":"x","kind":"k","quantity":"air.temp","calibration":{"id":"c","kind":"orp","points":[[1,7]]}}]}""", ConfigError.UnknownKind)]
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"thresholds":[{"q":"air.temp"}]}""", ConfigError.MissingField)]
    public void Gives_clear_error_codes(string json, ConfigError expected)
    {
        var (e, c) = Parse(json);
        Assert.Equal(expected, e);
        Assert.Equal("unconfigured", c.Device); // target untouched: defaults stay in force
    }

    [Fact]
    public void The_hardware_watchdog_keys_describe_the_board_and_the_remote_overlay_cannot_change_them()
    {
        const string Base = """{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"}""";
        var (e, c) = Parse(Base + "}");
        Assert.Equal(ConfigError.None, e);
        Assert.Equal((-1, 3600), (c.WatchdogDoneGpio, c.WatchdogIntervalSec)); // not fitted by default

        (e, c) = Parse(Base + ""","watchdogDoneGpio":32,"watchdogIntervalSec":7200}""");
        Assert.Equal(ConfigError.None, e);
        Assert.Equal((32, 7200), (c.WatchdogDoneGpio, c.WatchdogIntervalSec));

        Assert.Equal(ConfigError.BadValue, Parse(Base + ""","watchdogDoneGpio":40}""").Item1);
        Assert.Equal(ConfigError.BadValue, Parse(Base + ""","watchdogIntervalSec":7201}""").Item1); // the TPL5010's longest interval

        var remote = """{"v":1,"rev":3,"watchdogDoneGpio":-1,"watchdogIntervalSec":60}"""u8.ToArray();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseRemote(remote, 0, remote.Length, c, out _));
        Assert.Equal((32, 7200), (c.WatchdogDoneGpio, c.WatchdogIntervalSec));
    }

    [Fact]
    public void Remote_config_changes_only_present_keys()
    {
        var (_, c) = Parse(NodeHarness.Config);
        var b = """{"v":1,"rev":12,"sampleSec":300,"thresholds":[{"q":"water.level","above":3.5}],"future":{"x":1}}"""u8.ToArray();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseRemote(b, 0, b.Length, c, out int rev));
        Assert.Equal(12, rev);
        Assert.Equal((300, 3600, "wq-0001"), (c.SampleSec, c.UploadSec, c.Device));
        Assert.Equal(Quantities.WaterLevel, c.Thresholds[0].Quantity);
        var noRev = """{"v":1,"sampleSec":300}"""u8.ToArray();
        Assert.Equal(ConfigError.MissingField, new ConfigParser().ParseRemote(noRev, 0, noRev.Length, c, out _));
    }

    [Fact]
    public void An_on_site_two_point_ph_calibration_round_trips_through_the_config_and_names_the_batch()
    {
        // A technician calibrates with buffers 7.00 and 4.01 at 21.5 °C: the procedure's record is
        // written into the sensor entry, read back by the parser (what the node does at every wake
        // from flash) and gives the same probe as the record itself.
        var proc = new PhProbe().CreateProcedure();
        Assert.Equal(CalibrationResult.Ok, proc.Capture(0, 1.5213));
        Assert.Equal(CalibrationResult.Ok, proc.Capture(1, 2.0274, 4.01));
        Assert.Equal(CalibrationResult.Ok, proc.TryBuildRecord("cal-20261120-ph", 1_795_132_800, 21.5, out var record));
        var block = new byte[256];
        int n = CalibrationRecordWriter.Write(record, block, 0, block.Length);
        Assert.True(n > 0);
        var blockJson = Encoding.UTF8.GetString(block, 0, n);
        Assert.Equal("""{"id":"cal-20261120-ph","kind":"ph","points":[[1.5213,7],[2.0274,4.01]],"tempCoeff":0,"tempC":21.5,"at":1795132800}""", blockJson);
        Assert.Equal(-1, CalibrationRecordWriter.Write(record, block, 0, n - 1));

        var doc = NodeHarness.Config.Replace("""{"id":"cal-1","kind":"ph","points":[[1.5,7.0],[2.0,4.0]]}""", blockJson);
        var (e, c) = Parse(doc);
        Assert.Equal(ConfigError.None, e);
        var back = c.Sensors[1].Calibration;
        Assert.Equal((record.Id, record.Kind, record.PointCount, record.TempCoeff, record.TemperatureC, record.CreatedUnixSeconds), (back.Id, back.Kind, back.PointCount, back.TempCoeff, back.TemperatureC, back.CreatedUnixSeconds));
        Assert.Equal(Enumerable.Range(0, 2).Select(i => (record.Raw(i), record.Reference(i))), Enumerable.Range(0, 2).Select(i => (back.Raw(i), back.Reference(i))));

        var fromProcedure = new PhProbe { TemperatureC = 12.0 };
        var fromFlash = new PhProbe { TemperatureC = 12.0 };
        Assert.Equal(CalibrationResult.Ok, fromProcedure.Apply(record));
        Assert.Equal(CalibrationResult.Ok, fromFlash.Apply(back));
        double[] a = new double[1], b = new double[1];
        fromProcedure.Convert(1.8, a);
        fromFlash.Convert(1.8, b);
        Assert.Equal(a[0], b[0]);

        Assert.Null(c.CalibrationId); // no top-level cal: the batch takes the newest record's id
        Assert.Equal("cal-20261120-ph", c.BatchCalibrationId());
    }

    [Fact]
    public void The_batch_cal_is_the_configs_cal_else_the_newest_record()
    {
        var c = new DeviceConfig();
        Assert.Null(c.BatchCalibrationId());
        c.Sensors =
        [
            new SensorConfig { Id = "a", Calibration = new CalibrationRecord("cal-old", CalibrationKind.Ph, [1.5, 2.0], [7, 4], 2, 0, 25, 100) },
            new SensorConfig { Id = "b" },
            new SensorConfig { Id = "c", Calibration = new CalibrationRecord("cal-new", CalibrationKind.Ec, [0.2], [1413], 1, 0, 25, 200) },
            new SensorConfig { Id = "d", Calibration = new CalibrationRecord("cal-tie", CalibrationKind.Do, [1.6], [25], 1, 0, 25, 200) },
        ];
        Assert.Equal("cal-new", c.BatchCalibrationId());
        c.CalibrationId = "cal-20261120";
        Assert.Equal("cal-20261120", c.BatchCalibrationId());
    }

    [Fact]
    public void Point_counts_the_parser_accepts_are_the_ones_the_probes_take()
    {
        // One table (CalibrationKinds) for both: a config the node accepts is never refused by the probe for its point count.
        var probes = new (ICalibratable Probe, Func<int, CalibrationRecord> Record)[]
        {
            (new PhProbe(), n => Points(CalibrationKind.Ph, n, i => 1.5 + (0.2 * i), i => 7 - i)),
            (new EcProbe(EcCurve.Dfr0300), n => Points(CalibrationKind.Ec, n, i => 0.2 + (1.8 * i), i => 1219.5 * (1 + (9 * i)))),
            (new DissolvedOxygenProbe(), n => Points(CalibrationKind.Do, n, i => 1.6 - (0.2 * i), i => 25 - (8 * i))),
            (new SoilMoistureProbe(2.8, 1.2), n => Points(CalibrationKind.Moisture, n, i => 2.8 - (0.5 * i), i => 30 * i)),
            (new CurrentLoopLevelProbe(120, 0, 10), n => Points(CalibrationKind.Level, n, i => 0.5 + (0.5 * i), i => 2 * i)),
            (new TurbidityProbe(2.0), n => Points(CalibrationKind.Linear, n, i => 2.1 - (0.1 * i), i => 100 * i)),
            (new BatteryDivider(100_000, 100_000), n => Points(CalibrationKind.Linear, n, i => 1.8 + (0.1 * i), i => 3.6 + (0.2 * i))),
        };
        foreach (var (probe, record) in probes)
        {
            var kind = probe.CalibrationKind;
            int min = probe is TurbidityProbe ? 2 : CalibrationKinds.MinPoints(kind); // a curve needs two standards
            for (int n = 1; n <= CalibrationRecord.MaxPoints; n++)
            {
                bool parserTakes = CalibrationKinds.PointCountFits(kind, n);
                var result = probe.Apply(record(n));
                Assert.True(parserTakes && n >= min ? result == CalibrationResult.Ok : result == CalibrationResult.Degenerate, $"{probe.GetType().Name} with {n} points: {result}");
            }
        }
    }

    private static CalibrationRecord Points(CalibrationKind kind, int n, Func<int, double> raw, Func<int, double> reference) =>
        new("cal-" + n, kind, Enumerable.Range(0, n).Select(raw).ToArray(), Enumerable.Range(0, n).Select(reference).ToArray(), n, 0, 25, 0);
}
