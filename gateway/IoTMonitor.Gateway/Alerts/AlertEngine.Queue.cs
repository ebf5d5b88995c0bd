// The engine's queue: what comes in (durable batches, node statuses, ticks, flushes) is queued as a
// struct so the ingest hook never blocks the PUBACK path and allocates nothing; one reader loop takes
// it off in groups (AlertEngine.Groups.cs).

using System.Threading.Channels;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });

    private enum WorkKind
    {
        Batch,
        Status,
        Tick,
        Flush,
    }

    /// <summary>One queued input. A struct, so queuing a batch does not allocate.</summary>
    private readonly record struct Work(WorkKind Kind, string Site, string Device, Reading[]? Readings, double Battery, long HealthTime, ReadOnlyMemory<byte> Payload, TaskCompletionSource? Done)
    {
        public static Work ForBatch(string site, string device, Reading[] readings, double battery, long healthTime) =>
            new(WorkKind.Batch, site, device, readings, battery, healthTime, default, null);

        public static Work ForStatus(string site, string device, ReadOnlyMemory<byte> payload) =>
            new(WorkKind.Status, site, device, null, 0, 0, payload, null);

        public static Work ForTick() => new(WorkKind.Tick, string.Empty, string.Empty, null, 0, 0, default, null);

        public static Work ForFlush(TaskCompletionSource done) => new(WorkKind.Flush, string.Empty, string.Empty, null, 0, 0, default, done);
    }

    /// <summary>
    /// The ingest hook: queues the batch; never blocks the PUBACK path. Allocates nothing: the
    /// event's readings are already a copy, and the queue holds them in a struct.
    /// </summary>
    public void OnReadingsDurable(object? sender, ReadingsDurableEventArgs e) =>
        _queue.Writer.TryWrite(Work.ForBatch(e.Site, e.Device, e.Readings, e.Battery, e.HealthTime));

    /// <summary>A node's retained status (docs/protocol.md §5) was received.</summary>
    public void OnStatus(string site, string device, ReadOnlyMemory<byte> payload) =>
        _queue.Writer.TryWrite(Work.ForStatus(site, device, payload));

    /// <summary>Waits until everything queued so far has been evaluated and committed.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite(Work.ForFlush(done));
        return done.Task;
    }

    private async Task RunAsync(CancellationToken token)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var queued = false;
                try
                {
                    lock (_gate)
                    {
                        _group.Clear();
                        queued = RunGroup(_queue.Reader);
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
                _queue.Writer.TryWrite(Work.ForTick());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
