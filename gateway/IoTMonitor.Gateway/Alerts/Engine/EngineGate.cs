using System.Diagnostics;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// The engine's lock, fair to those who wait for it. A <see cref="Monitor"/> lets the thread that
/// releases it and enters again at once win over a thread already waiting, so under a backlog the
/// evaluation loop (one group after another) kept the lease round (and with it the hand-over of
/// partitions to a joining replica), operators' actions and rule reloads waiting for as long as the
/// backlog lasted. The loop lets waiting callers in between groups (<see cref="LetWaitingIn"/>).
/// </summary>
internal sealed class EngineGate
{
    // how long the loop stands aside at most: a caller that has not entered by then is not waiting on this gate any more
    private static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(100);

    private readonly object _lock = new();
    private int _waiting;

    /// <summary>Waits for the gate; dispose the result to leave it.</summary>
    public Held Enter()
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            Monitor.Enter(_lock);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return new Held(_lock);
    }

    /// <summary>The loop, outside the gate between two groups: returns once every caller waiting for the gate has entered it.</summary>
    public void LetWaitingIn()
    {
        if (Volatile.Read(ref _waiting) == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        while (Volatile.Read(ref _waiting) > 0 && Stopwatch.GetElapsedTime(started) < Patience)
        {
            spin.SpinOnce();
        }
    }

    public readonly struct Held(object gate) : IDisposable
    {
        public void Dispose() => Monitor.Exit(gate);
    }
}
