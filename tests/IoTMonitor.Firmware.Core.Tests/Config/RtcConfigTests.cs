using System.Text;
using IoTMonitor.Firmware.Core.Config;

namespace IoTMonitor.Firmware.Core.Tests.Config;

/// <summary>The device config's <c>rtc</c> object: a battery-backed DS3231 on an I2C bus (hardware/common/rtc-backup.md).</summary>
public sealed class RtcConfigTests
{
    private const string Base = """{"v":1,"device":"a","site":"b","type":"air","wifi":{},"mqtt":{"host":"h"}""";

    private static (ConfigError, DeviceConfig) Parse(string json)
    {
        var c = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(json);
        return (new ConfigParser().ParseDevice(b, 0, b.Length, c), c);
    }

    [Fact]
    public void No_rtc_by_default_and_a_ds3231_on_the_named_bus_or_bus_1()
    {
        Assert.Equal(-1, Parse(Base + "}").Item2.RtcBus);

        var (e, c) = Parse(Base + ""","rtc":{"kind":"ds3231","bus":0}}""");
        Assert.Equal(ConfigError.None, e);
        Assert.Equal(0, c.RtcBus);

        (e, c) = Parse(Base + ""","rtc":{"kind":"ds3231"}}""");
        Assert.Equal(ConfigError.None, e);
        Assert.Equal(ConfigParser.DefaultRtcBus, c.RtcBus);

        var copy = new DeviceConfig();
        copy.CopyFrom(c);
        Assert.Equal(1, copy.RtcBus);
    }

    [Theory]
    [InlineData("""{"kind":"pcf8563"}""", ConfigError.UnknownKind)]
    [InlineData("""{"bus":1}""", ConfigError.MissingField)]
    [InlineData("""{"kind":"ds3231","bus":2}""", ConfigError.BadValue)]
    [InlineData("""{"kind":"ds3231","bus":"1"}""", ConfigError.BadValue)]
    [InlineData("\"ds3231\"", ConfigError.BadValue)]
    public void A_bad_rtc_entry_is_a_clear_config_error(string rtc, ConfigError expected)
    {
        Assert.Equal(expected, Parse(Base + ""","rtc":""" + rtc + "}").Item1);
    }

    [Fact]
    public void A_remote_config_cannot_fit_or_remove_the_rtc()
    {
        var (_, c) = Parse(Base + ""","rtc":{"kind":"ds3231","bus":1}}""");
        var remote = """{"v":1,"rev":3,"rtc":{"kind":"ds3231","bus":0}}"""u8.ToArray();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseRemote(remote, 0, remote.Length, c, out _));
        Assert.Equal(1, c.RtcBus);
    }
}
