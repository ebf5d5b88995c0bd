using System.Text;
using IoTMonitor.Firmware.Core.Calibration;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Filters;
using IoTMonitor.Firmware.Core.Protocol;
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
        Assert.Equal(CalibrationKind.Ph, ph.Calibration.Kind);
        Assert.Equal([1.5, 2.0], ph.Calibration.Raw);
        Assert.Equal([7.0, 4.0], ph.Calibration.Reference);
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
    [InlineData("""{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"},"thresholds":[{"q":"air.temp"}]}""", ConfigError.MissingField)]
    public void Gives_clear_error_codes(string json, ConfigError expected)
    {
        var (e, c) = Parse(json);
        Assert.Equal(expected, e);
        Assert.Equal("unconfigured", c.Device); // target untouched: defaults stay in force
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
}
