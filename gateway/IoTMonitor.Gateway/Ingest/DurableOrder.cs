using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Ingest;

/// <summary>
/// Raises the durable notifications in the order the messages were appended to the WAL. The WAL
/// completes a whole group of appends after one fsync, and each message's continuation then runs on
/// the thread pool, whose per-thread queue is last in, first out: without this, the messages of one
/// group reached the alert engine newest first (a device's 90 messages handed in at once after a
/// failover were evaluated from the last to the first, and its alert opened at the last exceedance).
/// Whichever continuation runs first raises every completed notification at the head of the line.
/// </summary>
internal sealed class DurableOrder(Action<ReadingsDurableEventArgs> raise)
{
    private readonly Queue<Entry> _line = new();
    private readonly object _gate = new();

    /// <summary>Called right after the append, in the same synchronous section, so a device's messages (appended one at a time) queue in append order.</summary>
    public Entry Enqueue(Task append, ReadingsDurableEventArgs args)
    {
        var entry = new Entry(append, args);
        lock (_gate)
        {
            _line.Enqueue(entry);
        }

        return entry;
    }

    /// <summary>Raises the notifications of every completed append at the head of the line, in order; a failed append is passed over (its message is not acknowledged).</summary>
    public void RaiseCompleted()
    {
        lock (_gate)
        {
            while (_line.TryPeek(out var head) && head.Append.IsCompleted)
            {
                _line.Dequeue();
                try
                {
                    if (head.Append.IsCompletedSuccessfully)
                    {
                        raise(head.Args);
                    }
                }
                finally
                {
                    head.Raised.TrySetResult();
                }
            }
        }
    }

    public sealed class Entry(Task append, ReadingsDurableEventArgs args)
    {
        public Task Append { get; } = append;

        public ReadingsDurableEventArgs Args { get; } = args;

        /// <summary>Set once the notification was raised (or passed over): the message's own continuation waits for it.</summary>
        public TaskCompletionSource Raised { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
