// When changed rule states, node schedules and evaluated sequences are written: decisive changes in
// the group's own transaction (the store never holds an alert without the state that raised it), the
// others at most every few seconds and at stop, because writing every state on every reading cost
// more than the whole ingest path (docs/alerts.md, Delivery guarantee).

using IoTMonitor.Gateway.Alerts.FlashFlood;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// The engine's in-memory state as one unit: rule states, node schedules, the duplicate record and
/// the rain ledger; written at a group's end, routinely, and at stop, or reverted after a rollback.
/// One reason to change: when what the engine keeps in memory reaches the store.
/// </summary>
internal sealed class StateWrites(AlertStore store, RuleStates states, NodeSchedules nodes, DuplicateTracker duplicates, FlashFloodTracking? flood, RunRecord runs, WorkQueue queue, TimeProvider time, ILogger log)
{
    // Changed states that decide nothing by themselves, written every LazyWriteInterval (and at stop).
    private static readonly TimeSpan LazyWriteInterval = TimeSpan.FromSeconds(5);
    private DateTimeOffset _lazyWritten;

    /// <summary>Before a group: nothing touched yet.</summary>
    public void BeginGroup()
    {
        states.EndGroup();
        nodes.EndGroup();
        duplicates.EndGroup();
    }

    /// <summary>
    /// Writes what the group changed, once per rule state and schedule, in the group's transaction.
    /// With a shared store every change is written here, none waits for the routine write: another
    /// replica continues from the store after a failover, so nothing may lag behind it.
    /// </summary>
    public void WriteGroup()
    {
        var shared = store.Ownership.Shared;
        states.WriteGroup(store, shared);
        nodes.WriteGroup(store, shared);
        duplicates.NoteChanges();
        if (shared)
        {
            duplicates.WriteChanged(store);
        }

        if (time.GetUtcNow() - _lazyWritten >= LazyWriteInterval)
        {
            WriteLazy();
        }
    }

    /// <summary>The group committed.</summary>
    public void Committed() => duplicates.Commit();

    /// <summary>After a rollback: what the group touched goes back to what the store holds (memory ran ahead of it).</summary>
    public void Revert()
    {
        duplicates.Revert();
        states.Revert(store);
        nodes.Revert(store);
        flood?.Revert();
    }

    /// <summary>
    /// The set of sites this gateway evaluates changed (a lease gained or lost): the in-memory state
    /// becomes what the store holds, which the previous owner of a gained site committed. Between
    /// groups, under the engine's lock; nothing is unwritten then with a shared store.
    /// </summary>
    public void Reload()
    {
        states.Replace(store.LoadStates());
        nodes.Replace(store.LoadSchedules());
        duplicates.Replace(store.LoadEvaluatedSequences());
        flood?.Revert();
    }

    /// <summary>At stop: what changed since the last routine write, so a clean stop loses none of it. Caller holds the engine's lock.</summary>
    public void WriteOnStop()
    {
        try
        {
            store.InTransaction(() =>
            {
                WriteLazy();
                return 0;
            });
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IoTMonitor.Gateway.State.Leases.LeaseLostException or ObjectDisposedException or InvalidOperationException)
        {
            log.LogWarning("Alert states changed in the last seconds were not written at stop: {Error}", e.Message);
        }
    }

    /// <summary>The states whose changes decide nothing by themselves (see <see cref="Internal.TrackedState.Decisive"/>).</summary>
    private void WriteLazy()
    {
        states.WriteLazy(store);
        nodes.WriteLazy(store);
        duplicates.WriteChanged(store);
        _lazyWritten = time.GetUtcNow();
        runs.MarkAlive(queue.Length);
    }
}
