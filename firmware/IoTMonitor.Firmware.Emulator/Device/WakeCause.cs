namespace IoTMonitor.Firmware.Emulator.Device;

/// <summary>
/// The raw ESP-IDF wake cause as <c>Sleep.GetWakeupCause()</c> reports it (reference §5, HE
/// <c>Sleep.cs</c>, NFI <c>…_Sleep.cpp</c>): Undefined 0 covers power-on, reset, reboot and brown-out.
/// </summary>
public enum WakeCause
{
    Undefined = 0,
    Ext0 = 2,
    Ext1 = 3,
    Timer = 4,
}
