namespace IoTMonitor.Firmware.Emulator.Device;

/// <summary>
/// The optional board watchdog, a TI TPL5010 nano-power timer (datasheet SNAS651A; hardware/common/watchdog.md):
/// powered from the always-on 3V3, it pulses WAKE at the end of every interval t<sub>IP</sub> set by its
/// DELAY resistor (§8.3.1) and pulls RSTn — wired to the ESP32's EN — low when no DONE edge came from the
/// µC since the previous WAKE (§8.3.2 DONE, §8.3.3 RSTn). Model assumptions (docs/references.md): the
/// interval is exact (the part is 1 % typical, §1), the first interval runs from power-up, and an EN reset
/// is reported and treated like a power-on (wake cause Undefined, RTC cleared; reference §5, §9).
/// </summary>
public sealed class Tpl5010
{
    private long _startMs;
    private long _lastDoneMs = long.MinValue;

    public Tpl5010(int doneGpio, long intervalMs)
    {
        DoneGpio = doneGpio;
        IntervalMs = intervalMs;
    }

    /// <summary>The ESP32 GPIO wired to DONE.</summary>
    public int DoneGpio { get; }

    /// <summary>t<sub>IP</sub>, ms.</summary>
    public long IntervalMs { get; }

    /// <summary>Resets it has asserted so far.</summary>
    public int Resets { get; private set; }

    /// <summary>DONE edges it has seen so far.</summary>
    public int Dones { get; private set; }

    /// <summary>The supply came up (board power-on): the interval count starts again.</summary>
    public void PowerUp(long trueMs)
    {
        _startMs = trueMs;
        _lastDoneMs = long.MinValue;
    }

    /// <summary>A low-to-high edge on DONE.</summary>
    public void Done(long trueMs)
    {
        _lastDoneMs = trueMs;
        Dones++;
    }

    /// <summary>
    /// When RSTn will pull EN low if no further DONE comes after <paramref name="fromMs"/>: the first WAKE
    /// edge after it that closes an interval without a DONE.
    /// </summary>
    public long NextResetAfter(long fromMs)
    {
        long k = Math.Max(1, ((fromMs - _startMs) / IntervalMs) + 1);
        while (_lastDoneMs > _startMs + ((k - 1) * IntervalMs))
        {
            k++;
        }

        return _startMs + (k * IntervalMs);
    }

    /// <summary>RSTn asserted now: counted; the timer itself keeps running.</summary>
    public void AssertReset() => Resets++;
}
