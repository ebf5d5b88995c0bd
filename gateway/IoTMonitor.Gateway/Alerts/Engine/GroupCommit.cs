// Group commit: what is queued is evaluated in groups, one SQLite transaction each, so a burst costs
// one fsync per group. A failing item is isolated by rolling the group back, reloading what it
// touched and running the items again around it.

using System.Diagnostics;
using IoTMonitor.Gateway.Alerts.Ownership;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// The unit of work: a group of queued items evaluated in one transaction, its changed state written
/// at its end (<see cref="StateWrites"/>), or everything it touched reverted when it fails. One
/// reason to change: how evaluations are grouped and isolated. Not thread-safe: the caller holds the
/// engine's lock.
/// </summary>
internal sealed class GroupCommit(AlertStore store, WorkQueue queue, StateWrites writes, GroupSites sites, ReadingEvaluation readings, SilenceCheck silence, MeteringCheck metering, ILogger log)
{
    /// <summary>Most queued items evaluated in one transaction.</summary>
    public const int MaxGroupItems = 512;

    private readonly List<Work> _group = new(MaxGroupItems);

    // Items of groups the store could not take (it was away), oldest first, taken before the queue.
    private readonly List<Work> _held = new();
    private int _heldCount;

    // Where the next held group goes: the front at each run, then after what this run held already
    // (a failed group run again in parts keeps its order).
    private int _holdAt;
    private readonly List<TaskCompletionSource> _committed = [];
    private int _groupBatches;
    private bool _queued;

    // set while a group runs again because another evaluation took one of its handed-off items first
    private bool _takeEach;
    private long _batches;
    private long _groups;
    private long _failures;
    private long _generation;

    /// <summary>
    /// How long a group keeps taking queued items after its first one: it bounds the delay of a
    /// notification (sent after the commit) and how long operator actions wait for the engine's lock.
    /// </summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromMilliseconds(10);

    public long BatchesEvaluated => Interlocked.Read(ref _batches);

    public long GroupsCommitted => Interlocked.Read(ref _groups);

    public long EvaluationFailures => Interlocked.Read(ref _failures);

    /// <summary>Items kept for a store that was away, to run before anything queued since.</summary>
    public int Held => Volatile.Read(ref _heldCount);

    /// <summary>Set when the last group found the store away; cleared by the next group that commits.</summary>
    public Exception? Unreachable { get; private set; }

    /// <summary>Runs one item as a group of its own (the synchronous entry points). Returns whether notifications were queued.</summary>
    public bool RunAlone(Work work)
    {
        _holdAt = 0;
        _takeEach = false;
        _group.Clear();
        _group.Add(work);
        return RunGroup(more: false);
    }

    /// <summary>Runs a group of what is queued. Returns whether notifications were queued.</summary>
    public bool RunQueued()
    {
        _holdAt = 0;
        _takeEach = false;
        _group.Clear();
        return RunGroup(more: true);
    }

    /// <summary>The store failed even to reload what the group touched: its flushes (and acknowledgements) must not wait forever.</summary>
    public void Abandon()
    {
        foreach (var work in _group)
        {
            work.Done?.TrySetResult();
        }
    }

    /// <summary>
    /// Evaluates <see cref="_group"/> and, when <paramref name="more"/> is set, whatever else is
    /// queued (within <see cref="MaxGroupItems"/> and <see cref="Budget"/>) in one transaction, then
    /// writes the rule states and schedules that changed.
    /// <para>
    /// If an item throws or the commit fails, the whole transaction is rolled back: the other items
    /// may already have written alerts and outbox rows that only make sense with their state, and
    /// SQLite itself may have ended the transaction (disk full, I/O error). What the group touched in
    /// memory is reloaded from the store, and the items run again in order: those before the one
    /// that threw as a group, that one alone (dropped, logged and counted if it throws again), those
    /// after it as a group. A failed commit names no item, so then each item runs alone. An alert
    /// changed by another replica meanwhile (<see cref="AlertChangedException"/>: an operator's
    /// acknowledge or resolve) is nobody's fault: the whole group runs again on what is stored now.
    /// </para>
    /// </summary>
    private bool RunGroup(bool more, int conflictRetries = 3)
    {
        var generation = store.Ownership.Generation;
        if (generation != _generation)
        {
            IReadOnlyList<Work> handedOver;
            try
            {
                handedOver = store.Ownership.Reload(writes.Reload);
            }
            catch (Exception e) when (store.IsUnreachable(e))
            {
                Hold(e);
                return false;
            }

            _generation = generation;
            // ahead of the group's own items: they came before what this replica now receives for those
            // sites (the lease loop queues them too; whichever copy comes second finds its row claimed)
            _group.InsertRange(0, handedOver);
        }

        Begin();
        var running = 0;
        try
        {
            store.InTransaction(() =>
            {
                // the budget counts from the end of the first item: opening the transaction and the group's first
                // reads (a site's profile, the evaluator's fence) are PostgreSQL round trips that on a busy machine
                // took longer than the whole budget, which left every group one item long (8 batches/s, with the
                // cluster consumer's acks waiting on each)
                var started = long.MaxValue;
                for (; ; running++)
                {
                    if (running == _group.Count)
                    {
                        // a lease gained or lost since the group began ends it: the next group reloads first (an item the
                        // group took after the change, e.g. the lease loop's wake-up tick, left the gained sites unowned
                        // until something else came in)
                        if (!more || running >= MaxGroupItems || (running > 0 && Stopwatch.GetElapsedTime(started) >= Budget)
                            || (running > 0 && store.Ownership.Generation != _generation) || !Next(out var next))
                        {
                            break;
                        }

                        _group.Add(next);
                    }

                    Execute(_group[running]);
                    if (running == 0)
                    {
                        started = Stopwatch.GetTimestamp();
                    }
                }

                store.Ownership.EndGroup();
                writes.WriteGroup();
                return 0;
            });
        }
        catch (Exception e) when (store.IsUnreachable(e))
        {
            // nothing of the group was committed (or, if the connection broke in the commit itself, the
            // reload before the next group shows what was: evaluated sequences are skipped as redeliveries)
            Hold(e);
            return false;
        }
        catch (Exception e)
        {
            writes.Revert();
            var items = _group.ToArray();
            if (e is AlertChangedException && conflictRetries > 0)
            {
                // another replica's operator changed an alert of this group after it was read: no item
                // is at fault, and the same group evaluated again reads that change and keeps it
                log.LogInformation("Alert {Alert} was changed by another replica during evaluation; evaluating the group of {Count} again", ((AlertChangedException)e).AlertId, items.Length);
                _group.Clear();
                _group.AddRange(items);
                return RunGroup(more: false, conflictRetries - 1);
            }

            if (e is HandOffTakenException taken && conflictRetries > 0)
            {
                // rare (an item queued twice, or a site's previous owner took it at its last commit): no item is at
                // fault, and run again taking each item as it is evaluated, the taken ones are skipped
                log.LogInformation("{Missing} handed-off items of a group of {Count} were taken by another evaluation; evaluating the group again, taking each item", taken.Missing, items.Length);
                _takeEach = true;
                _group.Clear();
                _group.AddRange(items);
                return RunGroup(more: false, conflictRetries - 1);
            }

            if (items.Length == 1)
            {
                Interlocked.Increment(ref _failures);
                log.LogError(e, "Alert evaluation of a {Kind} ({Site}/{Device}) failed; its changes were rolled back", items[0].Kind, items[0].Site, items[0].Device);
                items[0].Done?.TrySetResult(); // a flush (or an acknowledgement) waits for the evaluation, not for its success: a redelivery would fail alike
                return false;
            }

            log.LogWarning(e, "An alert evaluation group of {Count} items failed; evaluating it again around the failing item", items.Length);
            var queued = false;
            if (running < items.Length)
            {
                queued |= RunAgain(items.AsSpan(0, running));
                queued |= RunAgain(items.AsSpan(running, 1));
                queued |= RunAgain(items.AsSpan(running + 1));
            }
            else
            {
                for (var i = 0; i < items.Length; i++)
                {
                    queued |= RunAgain(items.AsSpan(i, 1));
                }
            }

            return queued;
        }

        Unreachable = null;
        Interlocked.Add(ref _batches, _groupBatches);
        writes.Committed();
        Interlocked.Increment(ref _groups);
        foreach (var done in _committed)
        {
            done.TrySetResult();
        }

        return _queued;
    }

    private bool Next(out Work next)
    {
        if (_held.Count > 0)
        {
            next = _held[0];
            _held.RemoveAt(0);
            Volatile.Write(ref _heldCount, _held.Count);
            return true;
        }

        return queue.Dequeue(out next);
    }

    /// <summary>
    /// The store is away: the group's items go back, in order, ahead of the held items that came after them, and the
    /// in-memory state is reloaded from the store before the next group (the failed group may have
    /// changed it; the store holds the state after the last committed group).
    /// </summary>
    private void Hold(Exception e)
    {
        _held.InsertRange(_holdAt, _group);
        _holdAt += _group.Count;
        _group.Clear();
        Volatile.Write(ref _heldCount, _held.Count);
        _generation = long.MinValue;
        Unreachable = e;
    }

    /// <summary>What the stop's deadline leaves: the held items, for the engine to count as cut.</summary>
    public bool TakeHeld(out Work work)
    {
        if (_held.Count == 0)
        {
            work = default;
            return false;
        }

        work = _held[0];
        _held.RemoveAt(0);
        Volatile.Write(ref _heldCount, _held.Count);
        return true;
    }

    private bool RunAgain(ReadOnlySpan<Work> items)
    {
        if (items.IsEmpty)
        {
            return false;
        }

        _group.Clear();
        _group.AddRange(items);
        return RunGroup(more: false);
    }

    private void Execute(in Work work)
    {
        // a flush, or a batch whose acknowledgement waits for this group's commit
        if (work.Done is { } done)
        {
            _committed.Add(done);
        }

        if (work.Kind is WorkKind.Batch or WorkKind.Status && !Evaluates(work))
        {
            return;
        }

        switch (work.Kind)
        {
            case WorkKind.Batch:
                _queued |= readings.Evaluate(work.Site, work.Device, work.Boot, work.Readings!, work.Battery, work.HealthTime);
                _groupBatches++;
                break;
            case WorkKind.Status:
                silence.Status(work.Site, work.Device, work.Payload);
                break;
            case WorkKind.Tick:
                _queued |= silence.Check();
                break;
            case WorkKind.Metering:
                _queued |= metering.Evaluate(work.Metering!);
                break;
            case WorkKind.Flush:
                break;
        }
    }

    /// <summary>
    /// Whether this gateway evaluates the item now. Another replica's site: a received item is
    /// handed to it (in this transaction), a handed-off one stays for it. A handed-off item of an
    /// own site is evaluated unless another evaluation already took it.
    /// </summary>
    private bool Evaluates(in Work work)
    {
        var ownership = store.Ownership;
        if (!ownership.Owns(work.Site))
        {
            if (work.HandOff == 0)
            {
                ownership.HandOff(work);
            }

            return false;
        }

        return work.HandOff == 0 || ownership.Take(work.HandOff);
    }

    private void Begin()
    {
        writes.BeginGroup();
        sites.BeginGroup();
        store.Ownership.BeginGroup(_takeEach);
        _committed.Clear();
        _groupBatches = 0;
        _queued = false;
    }
}
