// A graceful stop: what is queued is evaluated before the engine stops, bounded by a deadline
// (Alerts:StopDrainSeconds), then the routine state is written. Readings reach the queue only after
// they are durable and acknowledged to the node, so discarding the queue at a restart or deploy
// would silently lose the alerts of the last moments (docs/alerts.md, Stop and restart).

using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    /// <summary>Name of the persisted counter of batches a stop's drain deadline left unevaluated.</summary>
    internal const string CutAtStopCounter = "stop_drain_cut_batches";

    private readonly object _stopGate = new();
    private Task? _stopped;
    private TaskCompletionSource? _held;
    private long _cutAtStop;

    // Stopwatch timestamp after which the loop takes no further group (set by the stop).
    private long _drainUntil = long.MaxValue;

    /// <summary>
    /// Queued batches a stop's drain deadline left unevaluated, over every run of this store (the
    /// process that cut them has exited; the next one reports them).
    /// </summary>
    public long BatchesCutAtStop => Interlocked.Read(ref _cutAtStop);

    /// <summary>Items queued and not yet evaluated: what a crash (SIGKILL, power loss) would lose to alerting.</summary>
    public long QueueLength => Interlocked.Read(ref _queued);

    /// <summary>
    /// Stops taking input, evaluates everything queued until <paramref name="drainDeadline"/> (or
    /// <paramref name="cancellationToken"/>: the host's shutdown timeout) and writes the routine state.
    /// What the deadline cuts is logged and counted, never waited for. Safe to call more than once.
    /// </summary>
    public Task StopAsync(TimeSpan drainDeadline, CancellationToken cancellationToken = default)
    {
        lock (_stopGate)
        {
            return _stopped ??= StopCoreAsync(drainDeadline, cancellationToken);
        }
    }

    /// <summary>
    /// Tests: the loop evaluates nothing until <see cref="StopAsync"/>, so an item is provably still
    /// queued when the stop begins (otherwise the loop usually takes it within a millisecond).
    /// </summary>
    internal void HoldEvaluation() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task StopCoreAsync(TimeSpan drainDeadline, CancellationToken cancellationToken)
    {
        // no more input: the loop ends by itself once it has evaluated what is queued
        _queue.Writer.TryComplete();
        if (_tickStop is not null)
        {
            await _tickStop.CancelAsync().ConfigureAwait(false);
            await Quietly(_ticker).ConfigureAwait(false);
        }

        var queued = QueueLength;
        var started = Stopwatch.GetTimestamp();
        _stop ??= new CancellationTokenSource();
        _loop ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None); // never started: drain all the same
        Volatile.Write(ref _drainUntil, Stopwatch.GetTimestamp() + (long)(drainDeadline.TotalSeconds * Stopwatch.Frequency));
        _held?.TrySetResult();
        _stop.CancelAfter(drainDeadline); // also ends a wait (the loop checks _drainUntil between groups)
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stop))
        {
            await Quietly(_loop).ConfigureAwait(false);
        }

        CutWhatIsLeft(queued, drainDeadline, Stopwatch.GetElapsedTime(started));
        _stop.Dispose();
        WriteLazyOnStop();
        MarkStopped();
    }

    /// <summary>What the deadline left in the queue: logged, counted (persisted) and released, never evaluated.</summary>
    private void CutWhatIsLeft(long queued, TimeSpan deadline, TimeSpan took)
    {
        int batches = 0, readings = 0, other = 0;
        while (Dequeue(out var work))
        {
            if (work.Kind == WorkKind.Batch)
            {
                batches++;
                readings += work.Readings!.Length;
            }
            else
            {
                other++;
            }

            // its evaluation will never happen: a waiter must not hang on it
            work.Done?.TrySetCanceled();
        }

        if (batches + other == 0)
        {
            _log.LogInformation("Alert engine stopped: {Queued} queued items evaluated in {Ms:0} ms", queued, took.TotalMilliseconds);
            return;
        }

        Interlocked.Add(ref _cutAtStop, batches);
        try
        {
            _store.AddCounter(CutAtStopCounter, batches);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            _log.LogWarning("The count of batches cut at stop could not be stored: {Error}", e.Message);
        }

        _log.LogWarning(
            "Alert engine stop: the drain deadline ({Deadline:0.###} s) cut {Batches} queued batches ({Readings} readings) and {Other} other items; they were not evaluated for alerts (their readings are in the WAL and InfluxDB). Raise Alerts:StopDrainSeconds if this repeats.",
            deadline.TotalSeconds,
            batches,
            readings,
            other);
    }

    private static async Task Quietly(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
