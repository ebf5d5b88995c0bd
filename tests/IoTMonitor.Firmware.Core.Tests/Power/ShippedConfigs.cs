using IoTMonitor.Firmware.Core.Config;

namespace IoTMonitor.Firmware.Core.Tests.Power;

/// <summary>The ESP32 default configs (firmware/IoTMonitor.Firmware/config/&lt;type&gt;.json), parsed by the core's parser.</summary>
internal static class ShippedConfigs
{
    public static readonly string[] Types = ["water", "soil", "air"];

    public static DeviceConfig Load(string type)
    {
        var bytes = File.ReadAllBytes(RepoPaths.Combine("firmware", "IoTMonitor.Firmware", "config", type + ".json"));
        var config = new DeviceConfig();
        var e = new ConfigParser().ParseDevice(bytes, 0, bytes.Length, config);
        Assert.True(e == ConfigError.None, $"{type}.json: {e}");
        return config;
    }
}
