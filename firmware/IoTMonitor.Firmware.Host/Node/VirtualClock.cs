using System.Diagnostics;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Host.Node;

/// <summary>
/// One virtual node's <see cref="IClock"/>: its RTC (UTC seconds, unsynced after a power-on until
/// SNTP) and its wake-local monotonic milliseconds, both driven by the fleet's
/// <see cref="SimulationClock"/>.
/// </summary>
/// <remarks>
/// The speed-up applies between wakes (deep sleep). Within a wake, time is real elapsed time at 1×
/// — the network and the CPU do not run faster, so a 40 ms MQTT exchange is 40 ms for the node —
/// plus the time the node <em>spent</em> in <see cref="Sleep"/> and in link waits that the host
/// skipped (<see cref="Advance"/>): a 30 s fan warm-up costs no real time (or 30 s / speed-up with
/// <see cref="RealSleep"/>), so thousands of nodes share a small worker pool. The logic sees exactly
/// the durations it asked for.
/// </remarks>
public sealed class VirtualClock : IClock, IClockSetter
{
    private readonly SimulationClock _sim;
    private readonly Stopwatch _wake = new();
    private long _wakeStartSimMs;
    private long _advancedMs;
    private long _rtcOffsetSec;
    private bool _synced;

    public VirtualClock(SimulationClock sim)
    {
        _sim = sim;
        _wakeStartSimMs = sim.NowUtcMs;
    }

    /// <summary>When true, <see cref="Sleep"/> really waits ms / speed-up (single node, demos).</summary>
    public bool RealSleep { get; set; }

    /// <summary>True once the node's RTC holds real UTC (after <see cref="Sync"/>).</summary>
    public bool IsSynced => _synced;

    public double Speedup => _sim.Speedup;

    /// <summary>Simulated UTC of the node right now, ms (the "true" time, synced or not).</summary>
    public long TrueUtcMs => _wakeStartSimMs + Millis;

    public long UtcSeconds => (TrueUtcMs / 1000) - (_synced ? 0 : _rtcOffsetSec);

    public long Millis => (long)_wake.Elapsed.TotalMilliseconds + _advancedMs;

    /// <summary>Starts a wake at the fleet's current simulated time.</summary>
    public void BeginWake() => BeginWakeAt(_sim.NowUtcMs);

    /// <summary>
    /// Starts a wake at simulated time <paramref name="simUtcMs"/>: the moment the node's sleep
    /// timer fired, which may lie behind the fleet's clock when the host ran the wake late (never
    /// before the previous wake's start).
    /// </summary>
    public void BeginWakeAt(long simUtcMs)
    {
        _wakeStartSimMs = Math.Max(simUtcMs, _wakeStartSimMs);
        _advancedMs = 0;
        _wake.Restart();
    }

    /// <summary>Power-on: a wake starts now and the RTC restarts at 0, unsynced (protocol §3).</summary>
    public void PowerOn()
    {
        BeginWake();
        RtcPowerOn();
    }

    /// <summary>Power-on within the wake already begun: the RTC restarts at 0 and is unsynced (protocol §3).</summary>
    public void RtcPowerOn()
    {
        _synced = false;
        _rtcOffsetSec = TrueUtcMs / 1000;
    }

    /// <summary>
    /// The clock is set to <paramref name="utcSeconds"/> (Rtc.SetSystemTime: whole seconds) from a source
    /// other than SNTP, such as the battery-backed RTC: it reads that time, off true UTC by the source's error.
    /// </summary>
    public void SetUtc(long utcSeconds)
    {
        _synced = false;
        _rtcOffsetSec = (TrueUtcMs / 1000) - utcSeconds;
    }

    /// <summary>SNTP succeeded: the RTC now reads true UTC.</summary>
    public void Sync() => _synced = true;

    public void Sleep(int ms)
    {
        if (ms <= 0)
        {
            return;
        }

        var before = _wake.Elapsed;
        if (RealSleep)
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(ms / _sim.Speedup));
        }

        _advancedMs += ms - (long)(_wake.Elapsed - before).TotalMilliseconds;
    }

    /// <summary>Accounts <paramref name="ms"/> of node time that passed without a real wait (a skipped link timeout).</summary>
    public void Advance(long ms)
    {
        if (ms > 0)
        {
            _advancedMs += ms;
        }
    }
}
