using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Host.Fleet;

namespace IoTMonitor.Firmware.Host.Tests.Fleet;

public sealed class DeviceConfigDocument_Tests
{
    [Theory]
    [InlineData("water", 8)]
    [InlineData("soil", 8)]
    [InlineData("air", 7)]
    public void The_firmware_parser_accepts_the_document_for_every_type(string type, int quantities)
    {
        var json = DeviceConfigDocument.Build(new DeviceConfigRequest("wei-xianyang", "n-1", type, "gw.example.org", 1883, "s3cret", SampleSec: 600));
        var bytes = Encoding.UTF8.GetBytes(json);
        var config = new DeviceConfig();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(bytes, 0, bytes.Length, config));
        Assert.Equal("n-1", config.Device);
        Assert.Equal("n-1", config.MqttUser);
        Assert.Equal("s3cret", config.MqttPassword);
        Assert.Equal(600, config.SampleSec);
        Assert.Equal(quantities, config.Sensors.Sum(s => s.Quantities.Length));
        Assert.Equal(("wei-xianyang", "n-1", type, "gw.example.org", 1883, "s3cret"), DeviceConfigDocument.Identity(json));
    }

    [Fact]
    public void Site_plan_spreads_devices_over_sites_with_protocol_ids()
    {
        var sites = SiteCatalog.BuiltIn();
        Assert.True(sites.Count >= 30);
        Assert.Contains(sites, s => s.Type == "water");
        Assert.Contains(sites, s => s.Type == "soil");
        Assert.Contains(sites, s => s.Type == "air");
        var plan = SiteCatalog.Plan(sites, "mix", 100);
        Assert.Equal(100, plan.Select(p => p.Device).Distinct().Count());
        Assert.All(plan, p => Assert.Matches("^[a-z0-9][a-z0-9_-]{0,31}$", p.Device));
        Assert.All(SiteCatalog.Plan(sites, "air", 10), p => Assert.Equal("air", p.Site.Type));
    }
}
