using System.Text;
using IoTMonitor.Firmware.Core.Config;

namespace IoTMonitor.Firmware.Core.Tests.Cellular;

/// <summary>The device config's <c>cellular</c> object (docs/cellular.md).</summary>
public sealed class CellularConfigTests
{
    private const string Head = "{\"v\":1,\"rev\":1,\"device\":\"n1\",\"site\":\"s1\",\"type\":\"water\",";

    private static (ConfigError, DeviceConfig) Parse(string json)
    {
        var c = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(json);
        return (new ConfigParser().ParseDevice(b, 0, b.Length, c), c);
    }

    [Fact]
    public void A_cellular_node_needs_no_wifi_and_gets_tls_by_default()
    {
        var (e, c) = Parse(Head + "\"cellular\":{\"modem\":\"quectel\",\"apn\":\"cmiot\"},\"mqtt\":{\"host\":\"gw.example\",\"port\":8883}}");
        Assert.Equal(ConfigError.None, e);
        Assert.True(c.Cellular);
        Assert.Equal((1, "cmiot", true), (c.CellularModem, c.CellularApn, c.MqttTls));
    }

    [Fact]
    public void Tls_may_be_turned_off_explicitly_and_the_wifi_node_keeps_its_default()
    {
        var (e, c) = Parse(Head + "\"cellular\":{\"modem\":\"simcom\"},\"mqtt\":{\"host\":\"gw\",\"tls\":false}}");
        Assert.Equal(ConfigError.None, e);
        Assert.Equal((0, false), (c.CellularModem, c.MqttTls));
        var (e2, w) = Parse(Head + "\"wifi\":{\"ssid\":\"a\",\"password\":\"b\"},\"mqtt\":{\"host\":\"gw\"}}");
        Assert.Equal(ConfigError.None, e2);
        Assert.False(w.Cellular);
        Assert.False(w.MqttTls);
    }

    [Fact]
    public void Sim7080_psm_and_the_battery_cut_off_are_read_with_their_defaults()
    {
        var (e, c) = Parse(Head + "\"cellular\":{\"modem\":\"sim7080\",\"psm\":false,\"minV\":3.55},\"mqtt\":{\"host\":\"gw\"}}");
        Assert.Equal(ConfigError.None, e);
        Assert.Equal((2, false, 3.55), (c.CellularModem, c.CellularPsm, c.CellularMinVolts));
        var (e2, d) = Parse(Head + "\"cellular\":{\"modem\":\"simcom\"},\"mqtt\":{\"host\":\"gw\"}}");
        Assert.Equal(ConfigError.None, e2);
        Assert.Equal((true, 3.7), (d.CellularPsm, d.CellularMinVolts));
        var (e3, z) = Parse(Head + "\"cellular\":{\"modem\":\"simcom\",\"minV\":0},\"mqtt\":{\"host\":\"gw\"}}");
        Assert.Equal(ConfigError.None, e3);
        Assert.Equal(0, z.CellularMinVolts);
    }

    [Theory]
    [InlineData("\"cellular\":{\"modem\":\"simcom\",\"minV\":2.5},", ConfigError.BadValue)]
    [InlineData("\"cellular\":{\"modem\":\"simcom\",\"minV\":4.5},", ConfigError.BadValue)]
    [InlineData("\"cellular\":{\"modem\":\"simcom\",\"psm\":1},", ConfigError.BadValue)]
    [InlineData("\"cellular\":{\"modem\":\"nokia\"},", ConfigError.BadValue)]
    [InlineData("\"cellular\":{\"apn\":\"x\"},", ConfigError.MissingField)]
    [InlineData("\"cellular\":{\"modem\":\"simcom\",\"apn\":\"0123456789012345678901234567890123456789012345678901234567890123\"},", ConfigError.BadValue)]
    [InlineData("", ConfigError.MissingField)]
    public void A_bad_or_missing_network_is_a_clear_error(string network, ConfigError expected)
    {
        var (e, _) = Parse(Head + network + "\"mqtt\":{\"host\":\"gw\"}}");
        Assert.Equal(expected, e);
    }
}
