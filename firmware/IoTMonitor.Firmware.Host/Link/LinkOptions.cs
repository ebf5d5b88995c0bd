namespace IoTMonitor.Firmware.Host.Link;

/// <summary>How a <see cref="MqttNodeLink"/> behaves beyond what the device config says.</summary>
public sealed class LinkOptions
{
    /// <summary>Connect to this host instead of the config's <c>mqtt.host</c> (simulating on another machine).</summary>
    public string? HostOverride { get; set; }

    /// <summary>Connect to this port instead of the config's <c>mqtt.port</c>.</summary>
    public int? PortOverride { get; set; }

    /// <summary>WiFi outage model: true while the node's WiFi is down at simulated UTC ms.</summary>
    public Func<long, bool>? IsWifiDown { get; set; }

    /// <summary>RSSI the node reports, dBm.</summary>
    public Func<int>? Rssi { get; set; }

    /// <summary>
    /// Mains-powered behaviour: keep the MQTT connection open across "deep sleeps" (Disconnect is a
    /// no-op). Used by the scale bench to hold N connections; battery nodes disconnect.
    /// </summary>
    public bool StayConnected { get; set; }

    /// <summary>MQTT 5 session expiry, seconds (protocol §2: at least 7 days).</summary>
    public uint SessionExpirySeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>Node time a failed WiFi join costs, ms.</summary>
    public int WifiJoinFailMs { get; set; } = 15_000;

    /// <summary>Shortest real wait for a connect or PUBACK, ms (the network does not speed up).</summary>
    public int MinRealTimeoutMs { get; set; } = 10_000;

    /// <summary>Longest real wait for a message in a receive window, ms; the rest of the window is skipped.</summary>
    public int MaxRealReceiveWaitMs { get; set; } = 20;
}
