using IoTMonitor.Gateway.Alerts.Engine;

namespace IoTMonitor.Gateway.Alerts.Ownership;

/// <summary>
/// Which sites this gateway's alert engine evaluates. One gateway on its own SQLite file evaluates
/// every site (<see cref="SoleEvaluator"/>); replicas sharing PostgreSQL evaluate the sites whose
/// partition they hold a lease on (<see cref="SharedEvaluator"/>) and hand the readings and statuses
/// of the other sites to their owner, so each site (and so each device) has one evaluator at a time.
/// Not an interface for its own sake: the two are the two deployments.
/// </summary>
internal abstract class EvaluatorOwnership
{
    /// <summary>Whether this gateway evaluates <paramref name="site"/> now.</summary>
    public abstract bool Owns(string site);

    /// <summary>
    /// Changes whenever the set of sites this gateway evaluates changes (a lease gained or lost):
    /// the engine then reloads its in-memory state from the store, which the previous owner wrote.
    /// </summary>
    public abstract long Generation { get; }

    /// <summary>
    /// Runs <paramref name="reloadState"/> (the engine reloading its in-memory state from the store)
    /// and only then counts the sites gained since the last reload as owned: a site taken over
    /// mid-group is not evaluated against the state from before its previous owner's last commit.
    /// Returns what was handed over for the gained sites so far, oldest first: the engine evaluates it
    /// before anything queued, since those readings came before what reaches it directly from now on
    /// (evaluated after them, a later exceedance would open the alert and set its start).
    /// </summary>
    public abstract IReadOnlyList<Work> Reload(Action reloadState);

    /// <summary>True when another gateway may evaluate some sites (the engine then writes every state change in its group).</summary>
    public abstract bool Shared { get; }

    /// <summary>
    /// A group starts: nothing of it handed off or taken yet. <paramref name="takeEach"/> takes each
    /// handed-off item from the store as it is evaluated instead of all of them at the group's end:
    /// the group is being run again because one of its items had been taken by another evaluation.
    /// </summary>
    public virtual void BeginGroup(bool takeEach)
    {
    }

    /// <summary>Hands a reading batch or status of a site this gateway does not evaluate to its owner, written in the current group's transaction.</summary>
    public abstract void HandOff(in Work work);

    /// <summary>
    /// Takes a handed-off item for evaluation in the current group; false when the group already took it
    /// (it was queued twice) or, taking each, when another evaluation took it.
    /// </summary>
    public abstract bool Take(long handOff);

    /// <summary>
    /// The group's end, still in its transaction: what it handed off is written and what it took is
    /// removed from the store, one statement each. Throws <see cref="HandOffTakenException"/> when
    /// another evaluation took one of those items first (the group is then run again, taking each).
    /// </summary>
    public virtual void EndGroup()
    {
    }
}
