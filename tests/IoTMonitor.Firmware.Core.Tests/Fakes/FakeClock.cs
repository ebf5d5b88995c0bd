using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Tests.Fakes;

/// <summary>Manual clock: Sleep and the fakes advance it; nothing waits for real.</summary>
public sealed class FakeClock(long utcSeconds) : IClock
{
    private long _ms;

    /// <summary>RTC seconds at Millis = 0 of the current wake sequence.</summary>
    public long UtcBase { get; set; } = utcSeconds;

    public long UtcSeconds => UtcBase + (_ms / 1000);

    public long Millis => _ms;

    public void Sleep(int ms) => Advance(ms);

    public void Advance(long ms) => _ms += ms;

    /// <summary>Deep sleep: the RTC runs on.</summary>
    public void AdvanceSeconds(long s) => _ms += s * 1000;

    /// <summary>SNTP: jump the wall clock, keep the monotonic counter.</summary>
    public void SetUtc(long utc) => UtcBase = utc - (_ms / 1000);
}
