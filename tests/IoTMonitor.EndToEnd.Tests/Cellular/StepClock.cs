using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.EndToEnd.Tests.Cellular;

/// <summary>
/// The node's and the modem's shared time: every Sleep advances it by its length at once and yields
/// 1 ms of real time, so the modem's documented seconds cost little real time while the real broker
/// behind it still gets to answer. UTC is the start plus the simulated time.
/// </summary>
internal sealed class StepClock : IClock, IClockSetter
{
    private long _ms;

    /// <summary>UTC at Millis 0 (the machine's now unless a test starts in the past).</summary>
    public long StartUtcSeconds { get; init; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public long UtcSeconds => StartUtcSeconds + (Millis / 1000);

    public long Millis => Interlocked.Read(ref _ms);

    public long SetUtcCalls { get; private set; }

    /// <summary>Real time each Sleep yields, ms; 0 only yields the thread (a test whose broker answers synchronously).</summary>
    public int RealMsPerSleep { get; init; } = 1;

    public void Sleep(int ms)
    {
        Interlocked.Add(ref _ms, ms);
        if (RealMsPerSleep > 0)
        {
            Thread.Sleep(RealMsPerSleep);
        }
        else
        {
            Thread.Yield();
        }
    }

    public void SetUtc(long utcSeconds) => SetUtcCalls++;
}
