using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Node;

/// <summary>
/// The virtual node's <see cref="IPower"/>: the reset reason of the current run, the battery
/// voltage from the <see cref="BatteryModel"/>, and deep sleep / reboot recorded for the fleet
/// scheduler (which runs the next wake when the sleep is over) instead of really sleeping.
/// </summary>
public sealed class VirtualPower : IPower
{
    private readonly BatteryModel? _battery;

    public VirtualPower(BatteryModel? battery = null)
    {
        _battery = battery;
    }

    public ResetReason ResetReason { get; set; } = ResetReason.PowerOn;

    /// <summary>Seconds the node asked to sleep at the end of its last wake (-1: none yet).</summary>
    public int RequestedSleepSeconds { get; private set; } = -1;

    /// <summary>True when the last wake ended in a software reset.</summary>
    public bool RebootRequested { get; private set; }

    /// <summary>EXT1 on the rain counter's INT is enabled for the coming sleep (the node sets it before <see cref="DeepSleep"/>).</summary>
    public bool CounterWake { get; set; }

    public double ReadBatteryVolts() => _battery?.Volts ?? 3.95;

    public void DeepSleep(int seconds)
    {
        RequestedSleepSeconds = seconds;
        RebootRequested = false;
    }

    public void Reboot()
    {
        RequestedSleepSeconds = 0;
        RebootRequested = true;
    }

    /// <summary>Prepares the next run: a deep-sleep wake after a sleep, a software reset after a reboot.</summary>
    public void NextRun(ResetReason? forced = null)
    {
        ResetReason = forced ?? (RebootRequested ? ResetReason.Software : ResetReason.DeepSleepWake);
        RebootRequested = false;
        RequestedSleepSeconds = -1;
    }
}
