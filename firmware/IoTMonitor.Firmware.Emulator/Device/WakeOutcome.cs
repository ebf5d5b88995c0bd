namespace IoTMonitor.Firmware.Emulator.Device;

/// <summary>How one wake ended, and what it cost.</summary>
public sealed class WakeOutcome
{
    public ResetKind Kind { get; init; }

    /// <summary>For a hang: what the device was left doing.</summary>
    public string? HangReason { get; init; }

    /// <summary>Timer wake asked for at deep sleep, ms (0 = none: the device would sleep forever).</summary>
    public long TimerWakeMs { get; init; }

    /// <summary>EXT0 wake pin armed at deep sleep (-1 none).</summary>
    public int WakePin { get; init; }

    /// <summary>EXT1 wake pins (GPIO bit mask) armed at deep sleep (0 none).</summary>
    public ulong Ext1Mask { get; init; }

    /// <summary>Time from reset to the end of the wake (virtual ms).</summary>
    public long AwakeMs { get; init; }

    /// <summary>Time the Wi-Fi radio was on during the wake (virtual ms).</summary>
    public long RadioOnMs { get; init; }

    /// <summary>Time any sensor rail (a board output) was on during the wake (virtual ms).</summary>
    public long RailsOnMs { get; init; }

    /// <summary>
    /// A sampling wake: an ADC1 conversion was made while the sensor rail (GPIO 25, sensor_power_en on
    /// every shipped board) was on — the battery divider is read in every shipped config's round. The
    /// rail alone does not tell: the backup RTC's transfers raise it outside the round.
    /// </summary>
    public bool Sampled { get; init; }

    /// <summary>The model step at which a power cut was made (-1: none), and its kind.</summary>
    public string? CutAt { get; init; }

    /// <summary>MQTT connect attempts in the wake.</summary>
    public int MqttConnects { get; init; }
}
