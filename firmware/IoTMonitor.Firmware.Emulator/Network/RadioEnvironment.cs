using IoTMonitor.Firmware.Emulator.Device;

namespace IoTMonitor.Firmware.Emulator.Network;

/// <summary>
/// What the node's radio finds around it: the access point, name resolution, the gateway's broker
/// (the real one on loopback, with outages layered on top), SNTP, and the signal strength.
/// Timings the reference does not give are parameters with defaults marked as estimates; the bench
/// procedure in hardware/common/power.md measures them on a board.
/// </summary>
public sealed class RadioEnvironment
{
    private MqttSession? _session;

    /// <summary>Whether the access point is up at a true time (ms).</summary>
    public Func<long, bool> WifiUp { get; set; } = _ => true;

    /// <summary>How the broker answers at a true time (ms).</summary>
    public Func<long, BrokerMode> Broker { get; set; } = _ => BrokerMode.Up;

    /// <summary>Whether PUBACKs are lost on the way back at a true time (the message still reaches the broker).</summary>
    public Func<long, bool> AcksLost { get; set; } = _ => false;

    /// <summary>Host names the resolver knows (name → IP). An IP literal needs no lookup.</summary>
    public Dictionary<string, string> Dns { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Scan + association + DHCP when the AP is up, ms (estimate; measured on the bench, power.md).</summary>
    public int WifiJoinMs { get; set; } = 2500;

    /// <summary>One DNS query, ms (estimate).</summary>
    public int DnsMs { get; set; } = 30;

    /// <summary>A DNS query that gets no answer before lwIP gives up, ms (estimate).</summary>
    public int DnsFailMs { get; set; } = 5000;

    /// <summary>SNTP's first query after it (re)starts: SNTP_STARTUP_DELAY 2 s (reference §9, NFI targetHAL_Network.cpp initialize_sntp).</summary>
    public int SntpStartupDelayMs { get; set; } = 2000;

    /// <summary>RSSI of the joined AP, dBm.</summary>
    public Func<long, int> RssiDbm { get; set; } = _ => -67;

    /// <summary>
    /// A full active scan, ms: the ESP-IDF defaults of 120 ms per channel and 30 ms back on the home
    /// channel between channels while connected (esp_wifi.h, esp_wifi_set_scan_parameters), over
    /// channels 1–13: 13 · 120 + 12 · 30 = 1920. nanoFramework's scan options are not checked.
    /// </summary>
    public int ScanMs { get; set; } = 1920;

    /// <summary>Other networks a scan reports besides the AP (SSID, dBm).</summary>
    public List<(string Ssid, int Dbm)> Neighbours { get; } = [("neighbour-ap", -81)];

    /// <summary>Scans the radio started, this run of the model.</summary>
    public int Scans { get; set; }

    /// <summary>The real gateway's broker port on loopback (the config's port is replaced by it; 0 keeps the config's).</summary>
    public int BrokerPort { get; set; }

    /// <summary>Whether the radio is associated with the AP right now.</summary>
    public bool Associated { get; private set; }

    /// <summary>The RSSI the Wi-Fi API reports right now (0 when not associated).</summary>
    public int Rssi(Esp32Device device) => Associated ? RssiDbm(device.TrueMs) : 0;

    /// <summary>Resolves <paramref name="host"/>; null when it cannot be resolved (no network, unknown name).</summary>
    public string? Resolve(Esp32Device device, string host)
    {
        if (System.Net.IPAddress.TryParse(host, out _))
        {
            return host;
        }

        if (!Associated || !Dns.TryGetValue(host, out string? ip))
        {
            device.Advance(DnsFailMs);
            return null;
        }

        device.Advance(DnsMs);
        return ip;
    }

    public void Associate(Esp32Device device)
    {
        Associated = true;
        device.RadioOn();
    }

    public void Disassociate(Esp32Device device)
    {
        Associated = false;
        DropSession(device);
        device.RadioOff();
    }

    /// <summary>The session the app has open, if any.</summary>
    public bool HasSession(Esp32Device device) => _session is { IsConnected: true };

    internal void Attach(MqttSession session) => _session = session;

    /// <summary>A reset or Wi-Fi loss: the socket goes without DISCONNECT (the broker publishes the will; reference §4).</summary>
    public void DropSession(Esp32Device device)
    {
        MqttSession? s = _session;
        _session = null;
        s?.Abort();
        if (device.IsOff)
        {
            Associated = false;
        }
    }
}
