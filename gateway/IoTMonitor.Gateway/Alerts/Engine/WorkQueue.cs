// The engine's queue: what comes in (durable batches, node statuses, ticks, metering reports, flushes) is queued as a
// struct so the ingest hook never blocks the PUBACK path and allocates nothing; one reader loop takes
// it off in groups (GroupCommit).

using System.Threading.Channels;
using IoTMonitor.Gateway.Alerts.Metering;
using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Alerts.Engine;

internal enum WorkKind
{
    Batch,
    Status,
    Tick,
    Flush,
    Metering,
}

/// <summary>
/// One queued input. A struct, so queuing a batch does not allocate. <see cref="HandOff"/> is the id
/// of the row in the shared store when another replica handed it over (0: received here).
/// </summary>
internal readonly record struct Work(WorkKind Kind, string Site, string Device, long Boot, Reading[]? Readings, double Battery, long HealthTime, ReadOnlyMemory<byte> Payload, TaskCompletionSource? Done, long HandOff = 0, MeteringReport? Metering = null)
{
    /// <param name="boot">The batch's boot counter; -1 when its readings have no sequence identity.</param>
    public static Work ForBatch(string site, string device, long boot, Reading[] readings, double battery, long healthTime) =>
        new(WorkKind.Batch, site, device, boot, readings, battery, healthTime, default, null);

    public static Work ForStatus(string site, string device, ReadOnlyMemory<byte> payload) =>
        new(WorkKind.Status, site, device, -1, null, 0, 0, payload, null);

    public static Work ForTick() => new(WorkKind.Tick, string.Empty, string.Empty, -1, null, 0, 0, default, null);

    public static Work ForMetering(MeteringReport report) => new(WorkKind.Metering, string.Empty, string.Empty, -1, null, 0, 0, default, null, Metering: report);

    public static Work ForFlush(TaskCompletionSource done) => new(WorkKind.Flush, string.Empty, string.Empty, -1, null, 0, 0, default, done);
}

/// <summary>
/// The unbounded single-reader queue in front of the evaluation, with its length (a single-reader
/// channel cannot count itself). One reason to change: how input waits for evaluation.
/// </summary>
internal sealed class WorkQueue
{
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });

    private long _queued;

    /// <summary>Items queued and not yet taken.</summary>
    public long Length => Interlocked.Read(ref _queued);

    /// <summary>False once the queue is completed (the engine is stopping): it takes no more input.</summary>
    public bool Enqueue(in Work work)
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
    public bool Dequeue(out Work work)
    {
        if (!_queue.Reader.TryRead(out work))
        {
            return false;
        }

        Interlocked.Decrement(ref _queued);
        return true;
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken token) => _queue.Reader.WaitToReadAsync(token);

    /// <summary>No more input: the reader ends once it has taken what is queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();
}
