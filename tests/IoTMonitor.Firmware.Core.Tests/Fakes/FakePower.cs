using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;

namespace IoTMonitor.Firmware.Core.Tests.Fakes;

/// <summary>Records sleeps and reboots; the test advances the clock across the sleep.</summary>
public sealed class FakePower : IPower
{
    public ResetReason ResetReason { get; set; } = ResetReason.PowerOn;
    public double Battery { get; set; } = 3.9;
    public int? SleptSeconds { get; private set; }
    public int Reboots { get; private set; }

    public double ReadBatteryVolts() => Battery;

    public void DeepSleep(int seconds) => SleptSeconds = seconds;

    /// <summary>EXT1 on the rain counter's INT enabled for the last sleep.</summary>
    public bool CounterWake { get; set; }

    public void Reboot() => Reboots++;
}
