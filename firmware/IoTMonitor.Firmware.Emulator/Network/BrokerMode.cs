namespace IoTMonitor.Firmware.Emulator.Network;

/// <summary>How the gateway's broker answers at a given moment.</summary>
public enum BrokerMode
{
    /// <summary>Reachable: the real gateway answers.</summary>
    Up,

    /// <summary>The host answers with a TCP reset (gateway process down): connect fails at once.</summary>
    Refusing,

    /// <summary>TCP connects but no CONNACK ever comes (a hung broker, a half-open path): M2Mqtt waits its fixed 30 s.</summary>
    Silent,

    /// <summary>
    /// The SYN goes unanswered (a firewall that drops, a host gone from the LAN): M2Mqtt's Connect has
    /// no TCP timeout of its own (reference §7), so the call does not come back within the wake; only
    /// the app's watchdog ends it.
    /// </summary>
    Blackhole,
}
