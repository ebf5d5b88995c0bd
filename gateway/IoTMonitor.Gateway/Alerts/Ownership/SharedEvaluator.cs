using IoTMonitor.Gateway.Alerts.Engine;
using IoTMonitor.Gateway.Alerts.Store.Postgres;
using Npgsql;
using NpgsqlTypes;
using IoTMonitor.Gateway.State.Leases;

namespace IoTMonitor.Gateway.Alerts.Ownership;

/// <summary>
/// Replicas sharing PostgreSQL: this one evaluates the sites of the partitions it holds
/// (<see cref="PartitionLeases"/>). A batch or status of another site is written to
/// <c>alert_handoff</c> at the end of the group's transaction; the partition's owner reads it from
/// there (<see cref="PendingNew"/>) and deletes the row in the transaction that evaluates it
/// (<see cref="Take"/>, <see cref="EndGroup"/>), so a handed-off item is evaluated once, by whoever owns the site when it
/// is evaluated, also across a failover. A partition above this replica's fair share is given to the
/// replica short of it (<see cref="HandOver"/>), after its last commit.
/// </summary>
internal sealed class SharedEvaluator(PostgresAlertDatabase db, PartitionLeases leases) : EvaluatorOwnership
{
    private readonly List<Work> _handOffs = [];
    private readonly HashSet<long> _taken = [];
    private bool _takeEach;
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
        var handedOver = gained.Length == 0 ? [] : Pending(gained);
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

    public override void BeginGroup(bool takeEach)
    {
        _handOffs.Clear();
        _taken.Clear();
        _takeEach = takeEach;
    }

    // written at the group's end in one statement: a row each, inserted one by one, was a PostgreSQL
    // round trip per batch of another replica's site, and the cluster consumer's acks wait for the group
    public override void HandOff(in Work work) => _handOffs.Add(work);

    public override bool Take(long handOff)
    {
        if (!_taken.Add(handOff))
        {
            return false;
        }

        return !_takeEach || db.Execute("DELETE FROM alert_handoff WHERE id = $1", handOff) > 0;
    }

    public override void EndGroup()
    {
        if (_handOffs.Count > 0)
        {
            var n = _handOffs.Count;
            var partitions = new int[n];
            var kinds = new short[n];
            var sites = new string[n];
            var devices = new string[n];
            var boots = new long[n];
            var bodies = new string[n];
            for (var i = 0; i < n; i++)
            {
                var work = _handOffs[i];
                partitions[i] = PartitionLeases.PartitionOf(work.Site);
                kinds[i] = (short)work.Kind;
                sites[i] = work.Site;
                devices[i] = work.Device;
                boots[i] = work.Boot;
                bodies[i] = HandOffCodec.Encode(work);
            }

            // ids follow the group's order (the owner evaluates a partition's rows by id): rows are numbered as the sorted select yields them
            db.Execute(
                """
                INSERT INTO alert_handoff (partition, kind, site, device, boot, body, from_replica)
                SELECT p, k, s, d, b, body, $7
                FROM unnest($1::integer[], $2::smallint[], $3::text[], $4::text[], $5::bigint[], $6::text[]) WITH ORDINALITY AS u(p, k, s, d, b, body, i)
                ORDER BY i
                """,
                partitions,
                kinds,
                sites,
                devices,
                boots,
                bodies,
                leases.Replica);
            Interlocked.Add(ref _handedOff, n);
        }

        if (!_takeEach && _taken.Count > 0)
        {
            var ids = _taken.ToArray();
            var removed = db.Execute("DELETE FROM alert_handoff WHERE id = ANY($1)", ids);
            if (removed != ids.Length)
            {
                throw new HandOffTakenException(ids.Length - removed);
            }
        }
    }

    /// <summary>
    /// The items handed over for the partitions held now that are not in <paramref name="queued"/>
    /// yet, oldest first, among the oldest <paramref name="limit"/>; <paramref name="queued"/> keeps
    /// what is still in the store and gains what is returned. Only new rows are read in full: a backlog
    /// read again at every lease round was thousands of bodies decoded for nothing.
    /// </summary>
    public List<Work> PendingNew(int limit, HashSet<long> queued)
    {
        var held = leases.HeldTokens.Keys.ToArray();
        if (held.Length == 0)
        {
            queued.Clear();
            return [];
        }

        var ids = db.Query(
            "SELECT id FROM alert_handoff WHERE partition = ANY($1) ORDER BY id LIMIT $2",
            r => r.GetInt64(0),
            new NpgsqlParameter { Value = held, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
            limit);
        queued.IntersectWith(ids);
        var fresh = ids.Where(id => !queued.Contains(id)).ToArray();
        if (fresh.Length == 0)
        {
            return [];
        }

        var works = db.Query(
            "SELECT id, kind, site, device, boot, body FROM alert_handoff WHERE id = ANY($1) ORDER BY id",
            Decode,
            fresh);
        queued.UnionWith(works.Select(w => w.HandOff));
        return works;
    }

    /// <summary>Everything handed over for <paramref name="partitions"/>, oldest first.</summary>
    private List<Work> Pending(int[] partitions) =>
        db.Query(
            "SELECT id, kind, site, device, boot, body FROM alert_handoff WHERE partition = ANY($1) ORDER BY id",
            Decode,
            new NpgsqlParameter { Value = partitions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });

    private static Work Decode(NpgsqlDataReader r) =>
        HandOffCodec.Decode(r.GetInt64(0), (WorkKind)r.GetInt16(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5));
}
