using System.Diagnostics;

namespace IoTMonitor.Firmware.Host.Node;

/// <summary>
/// The fleet's shared notion of simulated time: UTC milliseconds = <see cref="StartUtcMs"/> +
/// real elapsed × <see cref="Speedup"/>, never ahead of the real clock (once the simulation has
/// caught up with now it runs at 1×, so the gateway never sees readings from the future).
/// </summary>
/// <remarks>
/// Start in the past to replay history fast: <c>start = now − duration × speedup</c> ends the run at
/// about now. Thread-safe (reads a <see cref="Stopwatch"/>).
/// </remarks>
public sealed class SimulationClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly TimeProvider _real;

    public SimulationClock(long startUtcMs, double speedup, TimeProvider? real = null)
    {
        if (speedup <= 0 || double.IsNaN(speedup) || double.IsInfinity(speedup))
        {
            throw new ArgumentOutOfRangeException(nameof(speedup), "speed-up must be a positive number");
        }

        StartUtcMs = startUtcMs;
        Speedup = speedup;
        _real = real ?? TimeProvider.System;
    }

    /// <summary>Simulated time at the start of the run, Unix ms.</summary>
    public long StartUtcMs { get; }

    /// <summary>Simulated seconds per real second.</summary>
    public double Speedup { get; }

    /// <summary>Real time since the clock was created.</summary>
    public TimeSpan RealElapsed => _watch.Elapsed;

    /// <summary>Simulated time now, Unix ms.</summary>
    public long NowUtcMs
    {
        get
        {
            var sim = StartUtcMs + (long)(_watch.Elapsed.TotalMilliseconds * Speedup);
            var real = _real.GetUtcNow().ToUnixTimeMilliseconds();
            return sim < real ? sim : Math.Max(real, StartUtcMs);
        }
    }

    /// <summary>Real time from now until simulated time <paramref name="simUtcMs"/> (zero when past).</summary>
    public TimeSpan RealDelayUntil(long simUtcMs)
    {
        var now = NowUtcMs;
        if (simUtcMs <= now)
        {
            return TimeSpan.Zero;
        }

        var real = _real.GetUtcNow().ToUnixTimeMilliseconds();
        var simDelta = simUtcMs - now;

        // Caught up with real time (or about to be): it runs at 1×.
        return now >= real - 1 ? TimeSpan.FromMilliseconds(simDelta) : TimeSpan.FromMilliseconds(simDelta / Speedup);
    }

    /// <summary>Real time that <paramref name="simMs"/> simulated milliseconds take at the current rate.</summary>
    public TimeSpan ToReal(long simMs) => TimeSpan.FromMilliseconds(simMs / (IsCaughtUp ? 1.0 : Speedup));

    /// <summary>True once simulated time has reached the real clock.</summary>
    public bool IsCaughtUp => NowUtcMs >= _real.GetUtcNow().ToUnixTimeMilliseconds() - 1;
}
