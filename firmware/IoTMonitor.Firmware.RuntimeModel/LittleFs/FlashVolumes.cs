namespace IoTMonitor.Firmware.RuntimeModel.LittleFs;

/// <summary>The I: volume of a deployed node as the model starts it: the runtime's config files and the device config.</summary>
public static class FlashVolumes
{
    /// <summary>Name the device config is deployed under (the ESP32 app's Program.ConfigPath without "I:\").</summary>
    public const string ConfigFile = "config.json";

    /// <summary>
    /// Model assumption: the network-interface config block as a <c>con_*.sys</c> file, bytes.
    /// nanoFramework stores its config blocks as con_ files on I: (nf-interpreter
    /// targets/ESP32/_common/targetHAL_ConfigStorageLittlefs.c); the struct sizes (IPv4/IPv6
    /// addresses, MAC, flags; SSID 32 + password 64 + options) were not measured. Both are below
    /// 512 B, so they live in the directory log either way. The names are the model's.
    /// </summary>
    public const int NetworkConfigBytes = 128;

    /// <summary>Model assumption: the Wi-Fi (802.11) config block file, bytes (see <see cref="NetworkConfigBytes"/>).</summary>
    public const int WirelessConfigBytes = 160;

    /// <summary>
    /// A 64-block volume holding the runtime's network and Wi-Fi config files, an optional CA
    /// certificate file (<paramref name="certificateBytes"/>, 0: none — the shipped configs use
    /// plain MQTT) and the device config <paramref name="deviceConfig"/> as config.json.
    /// </summary>
    public static LittleFsVolume Esp32With(byte[] deviceConfig, int certificateBytes = 0, LittleFsGeometry? geometry = null)
    {
        var volume = Esp32Runtime(certificateBytes, geometry);
        volume.WriteAllBytes(ConfigFile, deviceConfig);
        return volume;
    }

    /// <summary>A 64-block volume holding only the runtime's network and Wi-Fi config files (and a CA certificate file when <paramref name="certificateBytes"/> &gt; 0).</summary>
    public static LittleFsVolume Esp32Runtime(int certificateBytes = 0, LittleFsGeometry? geometry = null)
    {
        var volume = new LittleFsVolume(geometry);
        volume.AddSystemFile("con_network.sys", NetworkConfigBytes);
        volume.AddSystemFile("con_wireless.sys", WirelessConfigBytes);
        if (certificateBytes > 0)
        {
            volume.AddSystemFile("con_cacert.sys", certificateBytes);
        }

        return volume;
    }
}
