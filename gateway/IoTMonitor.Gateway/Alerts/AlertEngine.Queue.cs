// The engine's queue: what comes in (durable batches, node statuses, ticks, flushes) is queued as a
// struct so the ingest hook never blocks the PUBACK path and allocates nothing; one reader loop takes
// it off in groups (AlertEngine.Groups.cs).

using System.Diagnostics;
using System.Threading.Channels;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });

    // Items in _queue: the single-reader channel cannot count them itself.
    private long _queued;

    private enum WorkKind
    {
        Batch,
        Status,
        Tick,
        Flush,
    }

    /// <summary>One queued input. A struct, so queuing a batch does not allocate.</summary>
    private readonly record struct Work(WorkKind Kind, string Site, string Device, long Boot, Reading[]? Readings, double Battery, long HealthTime, ReadOnlyMemory<byte> Payload, TaskCompletionSource? Done)
    {
        /// <param name="boot">The batch's boot counter; -1 when its readings have no sequence identity.</param>
        public static Work ForBatch(string site, string device, long boot, Reading[] readings, double battery, long healthTime) =>
            new(WorkKind.Batch, site, device, boot, readings, battery, healthTime, default, null);

        public static Work ForStatus(string site, string device, ReadOnlyMemory<byte> payload) =>
            new(WorkKind.Status, site, device, -1, null, 0, 0, payload, null);

        public static Work ForTick() => new(WorkKind.Tick, string.Empty, string.Empty, -1, null, 0, 0, default, null);

        public static Work ForFlush(TaskCompletionSource done) => new(WorkKind.Flush, string.Empty, string.Empty, -1, null, 0, 0, default, done);
    }

    /// <summary>
    /// The ingest hook: queues the batch; never blocks the PUBACK path. Allocates nothing: the
    /// event's readings are already a copy, and the queue holds them in a struct.
    /// </summary>
    public void OnReadingsDurable(object? sender, ReadingsDurableEventArgs e) =>
        Enqueue(Work.ForBatch(e.Site, e.Device, e.Boot, e.Readings, e.Battery, e.HealthTime));

    /// <summary>A node's retained status (docs/protocol.md §5) was received.</summary>
    public void OnStatus(string site, string device, ReadOnlyMemory<byte> payload) =>
        Enqueue(Work.ForStatus(site, device, payload));

    /// <summary>
    /// Waits until everything queued so far has been evaluated and committed; cancelled when a
    /// stop's drain deadline cut it, completed at once when the engine no longer takes input.
    /// </summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Enqueue(Work.ForFlush(done)))
        {
            // stopping or stopped: the stop evaluates (or cuts) what is queued; nothing is left to wait for here
            return _stopped ?? Task.CompletedTask;
        }

        return done.Task;
    }

    /// <summary>False once the engine is stopping: it takes no more input.</summary>
    private bool Enqueue(in Work work)
    {
        // counted first, so the count never goes below zero when the loop takes the item at once
        Interlocked.Increment(ref _queued);
        if (_queue.Writer.TryWrite(work))
        {
            return true;
        }

        Interlocked.Decrement(ref _queued);
        return false;
    }

    /// <summary>Takes one queued item (the loop and the stop's cut are the only readers).</summary>
    private bool Dequeue(out Work work)
    {
        if (!_queue.Reader.TryRead(out work))
        {
            return false;
        }

        Interlocked.Decrement(ref _queued);
        return true;
    }

    private async Task RunAsync(CancellationToken token)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                if (_held is { } held)
                {
                    await held.Task.WaitAsync(token).ConfigureAwait(false);
                }

                // WaitToReadAsync answers at once while items are queued, whatever the token says, and the
                // token's timer may fire late on a busy machine: the stop's deadline is checked here, per group
                token.ThrowIfCancellationRequested();
                if (Stopwatch.GetTimestamp() >= Volatile.Read(ref _drainUntil))
                {
                    break;
                }

                var queued = false;
                try
                {
                    lock (_gate)
                    {
                        _group.Clear();
                        queued = RunGroup(more: true);
                    }
                }
                catch (Exception e)
                {
                    // RunGroup handles failed items itself: this is the store failing even to reload what
                    // the group touched. Nothing more can be done here; flushes must not wait forever.
                    _log.LogError(e, "Alert evaluation failed and its state could not be reloaded from the store");
                    foreach (var work in _group)
                    {
                        work.Done?.TrySetResult();
                    }
                }

                if (queued)
                {
                    NotificationsQueued?.Invoke(this, EventArgs.Empty);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TickLoopAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.TickSeconds), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                Enqueue(Work.ForTick());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
