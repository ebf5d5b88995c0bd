using IoTMonitor.Gateway.Alerts.Engine;
using IoTMonitor.Gateway.Alerts.Store.Postgres;
using Npgsql;
using NpgsqlTypes;
using IoTMonitor.Gateway.State.Leases;

namespace IoTMonitor.Gateway.Alerts.Ownership;

/// <summary>
/// Replicas sharing PostgreSQL: this one evaluates the sites of the partitions it holds
/// (<see cref="PartitionLeases"/>). A batch or status of another site is written to
/// <c>alert_handoff</c> in the group's transaction; the partition's owner takes it from there
/// (<see cref="Pending"/>) and deletes the row in the transaction that evaluates it
/// (<see cref="Claim"/>), so a handed-off item is evaluated once, by whoever owns the site when it
/// is evaluated, also across a failover. A partition above this replica's fair share is given to the
/// replica short of it (<see cref="HandOver"/>), after its last commit.
/// </summary>
internal sealed class SharedEvaluator(PostgresAlertDatabase db, PartitionLeases leases) : EvaluatorOwnership
{
    private long _handedOff;
    private long _partitionsHandedOver;

    // The partitions held when the engine last reloaded its state: only these count as owned (while still held).
    private HashSet<int> _reloaded = [];

    public PartitionLeases Leases => leases;

    public override long Generation => leases.Generation;

    public override bool Shared => true;

    /// <summary>Items handed to another replica so far (tests and /metrics).</summary>
    public long HandedOff => Interlocked.Read(ref _handedOff);

    /// <summary>Surplus partitions given to another replica so far (/metrics).</summary>
    public long PartitionsHandedOver => Interlocked.Read(ref _partitionsHandedOver);

    public override bool Owns(string site)
    {
        var partition = PartitionLeases.PartitionOf(site);
        return Volatile.Read(ref _reloaded).Contains(partition) && leases.Holds(partition);
    }

    /// <summary>
    /// The held set is read before the state is reloaded: each of its partitions was taken before the
    /// reload, so its previous owner's last commit (fenced by the lease) precedes what is read. The
    /// hand-offs of the gained partitions are read after the reload: every batch this replica handed
    /// over before it owned them (a failover: the broker gave it a dead replica's devices while their
    /// sites' leases ran out) is among them.
    /// </summary>
    public override IReadOnlyList<Work> Reload(Action reloadState)
    {
        var held = leases.HeldTokens.Keys.ToHashSet();
        reloadState();
        var gained = held.Except(Volatile.Read(ref _reloaded)).ToArray();
        var handedOver = gained.Length == 0 ? [] : Pending(gained, int.MaxValue);
        Volatile.Write(ref _reloaded, held);
        return handedOver;
    }

    /// <summary>
    /// Gives a surplus partition to the replica short of its share (<see cref="PartitionLeases.Surplus"/>).
    /// The caller holds the engine's lock, so no group is running and the last commit of the
    /// partition's sites is done: the partition stops counting as owned first (what is queued for its
    /// sites from now on is handed off through <c>alert_handoff</c>), and only then is the lease row
    /// released, so the taker, which reloads the state after taking the row, reads that last commit.
    /// Returns false when the partition is no longer held (lost or released meanwhile).
    /// </summary>
    public bool HandOver(int partition)
    {
        if (!leases.Holds(partition))
        {
            return false;
        }

        Volatile.Write(ref _reloaded, Volatile.Read(ref _reloaded).Where(p => p != partition).ToHashSet());
        leases.Release(partition);
        Interlocked.Increment(ref _partitionsHandedOver);
        return true;
    }

    public override void HandOff(in Work work)
    {
        db.Execute(
            "INSERT INTO alert_handoff (partition, kind, site, device, boot, body, from_replica) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            PartitionLeases.PartitionOf(work.Site),
            (short)work.Kind,
            work.Site,
            work.Device,
            work.Boot,
            HandOffCodec.Encode(work),
            leases.Replica);
        Interlocked.Increment(ref _handedOff);
    }

    public override bool Claim(long handOff) => db.Execute("DELETE FROM alert_handoff WHERE id = $1", handOff) > 0;

    /// <summary>Items handed over for the partitions held now, oldest first (read outside any transaction; each is claimed when evaluated).</summary>
    public List<Work> Pending(int limit)
    {
        var held = leases.HeldTokens.Keys.ToArray();
        return held.Length == 0 ? [] : Pending(held, limit);
    }

    private List<Work> Pending(int[] partitions, int limit) =>
        db.Query(
            "SELECT id, kind, site, device, boot, body FROM alert_handoff WHERE partition = ANY($1) ORDER BY id LIMIT $2",
            r => HandOffCodec.Decode(r.GetInt64(0), (WorkKind)r.GetInt16(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5)),
            new NpgsqlParameter { Value = partitions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
            limit);
}
