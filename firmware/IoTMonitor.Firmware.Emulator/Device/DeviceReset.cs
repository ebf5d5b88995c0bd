namespace IoTMonitor.Firmware.Emulator.Device;

/// <summary>Why the model ended the running wake.</summary>
public enum ResetKind
{
    /// <summary><c>Sleep.StartDeepSleep</c> was called (a timer or pin wakes the chip again).</summary>
    DeepSleep,

    /// <summary>The harness cut the power at a chosen step.</summary>
    PowerCut,

    /// <summary><c>Power.RebootDevice</c>.</summary>
    Reboot,

    /// <summary>The device hung: Main ended or threw, or waited forever with nothing left to wake it.</summary>
    Hang,
}

/// <summary>
/// Thrown by every model API once the device is off (after <c>StartDeepSleep</c>, a reboot or a power
/// cut), so the app's thread unwinds. On the device nothing after the call runs (reference §4, HE
/// <c>Sleep.cs</c>, NFI CLRStartup.cpp / targetHAL_Power.c): a C# exception does run the app's
/// <c>finally</c> blocks and <c>Dispose</c> calls on the way up, so the model powers off first and
/// ignores everything that happens afterwards — a file still open at that moment is already reverted
/// to its last commit and every later call throws this again.
/// </summary>
public sealed class DeviceResetException : Exception
{
    public DeviceResetException(ResetKind kind)
        : base("device reset: " + kind)
    {
        Kind = kind;
    }

    public DeviceResetException()
        : this(ResetKind.DeepSleep)
    {
    }

    public DeviceResetException(string message)
        : base(message)
    {
    }

    public DeviceResetException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ResetKind Kind { get; }
}
