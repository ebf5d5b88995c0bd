// Leases in PostgreSQL: sites are hashed into a fixed number of partitions, and a replica evaluates
// a partition's sites only while it holds the partition's lease row (holder, token, expires). The
// same rows, in table ingest_leases, say which replica consumes which partition queue of the RabbitMQ
// cluster. With balancing (alert leases: Alerts:Lease:Balance, on by default; ingest leases:
// Mqtt:Cluster:Balance) a replica that holds more than its fair share names
// the surplus, which its owner hands over and releases, so a replica that joins gets its share. It
// renews its leases well before they expire; a replica that stops releases them at once, one that
// dies (kill -9, power, network) loses them when they expire, and another takes them with a new
// token. Every commit of evaluation state is fenced by the row (Fence): a replica whose lease expired
// or was taken cannot commit a state, an alert or a notice, whatever its own clock says.

using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace IoTMonitor.Gateway.State.Leases;

/// <summary>
/// This replica's partition leases (table <c>alert_leases</c> for the alert evaluator, <c>ingest_leases</c>
/// for the cluster's partition queues): acquire, renew, release, and the fence checked in the
/// transaction that writes a partition's state. Thread-safe: one loop renews, the engine, the
/// dispatcher or the consumers read the held set.
/// </summary>
public sealed class PartitionLeases
{
    /// <summary>Partitions of the site space; fixed, since every replica must hash a site alike.</summary>
    public const int Partitions = 16;

    private readonly NpgsqlDataSource _db;
    private readonly object _renewGate = new();
    private readonly string _table;
    private readonly bool _balance;
    private Held _held = new(new Dictionary<int, long>(), 0);
    private Shares _shares = new(new Dictionary<int, string>(), []);
    private long _generation;

    /// <summary>The alert evaluator's leases (<c>alert_leases</c>, <see cref="Partitions"/> rows).</summary>
    /// <param name="ttl">How long a lease lasts without renewal: the failover time after a replica dies is at most this plus one renewal interval.</param>
    /// <param name="balance">Whether a replica above its fair share names its surplus for the engine to hand over (see the other constructor).</param>
    public PartitionLeases(NpgsqlDataSource db, string replica, TimeSpan ttl, bool balance)
        : this(db, "alert_leases", Partitions, replica, ttl, balance)
    {
    }

    /// <param name="table">The lease table: <c>alert_leases</c> or <c>ingest_leases</c> (a constant of the caller, never input).</param>
    /// <param name="count">Partitions in the table.</param>
    /// <param name="balance">
    /// Whether replicas register in <c>lease_members</c> and the fair share counts them, so one that holds
    /// more than its share names the surplus (<see cref="Surplus"/>) for its owner to hand over.
    /// </param>
    public PartitionLeases(NpgsqlDataSource db, string table, int count, string replica, TimeSpan ttl, bool balance)
    {
        _db = db;
        _table = table;
        _balance = balance;
        Count = count;
        Replica = replica;
        Ttl = ttl;
        using var cmd = db.CreateCommand($"INSERT INTO {table} (partition, holder, token, expires) SELECT g, NULL, 0, '-infinity' FROM generate_series(0, $1 - 1) g ON CONFLICT DO NOTHING");
        cmd.Parameters.Add(new NpgsqlParameter { Value = count });
        cmd.ExecuteNonQuery();
    }

    /// <summary>Partitions in this lease table.</summary>
    public int Count { get; }

    /// <summary>At the last round, the live holder of each held partition: this replica's, and with balancing the other replicas' too.</summary>
    public IReadOnlyDictionary<int, string> Holders => Volatile.Read(ref _shares).Holders;

    /// <summary>
    /// With balancing: at the last round, partitions this replica holds beyond its fair share (the
    /// highest-numbered first). Its owner hands them over (<see cref="Release(int)"/>) when nothing of
    /// them is in flight; the lease stays renewed until then.
    /// </summary>
    public IReadOnlyList<int> Surplus => Volatile.Read(ref _shares).Surplus;

    public string Replica { get; }

    public TimeSpan Ttl { get; }

    /// <summary>
    /// Changes whenever the set of held partitions (or a token) changes, as <see cref="HeldTokens"/>
    /// shows it: also when the local deadline passes without a renewal (the held set reads empty) and
    /// when the next renewal ends that lapse with the same tokens. A user that reloads on a change
    /// (the alert engine) so sees the lapse, and evaluates what it handed over meanwhile first.
    /// </summary>
    public long Generation
    {
        get
        {
            var held = Volatile.Read(ref _held);
            var lapsed = held.Tokens.Count > 0 && Stopwatch.GetTimestamp() >= held.Until;
            return (Interlocked.Read(ref _generation) * 2) + (lapsed ? 1 : 0);
        }
    }

    /// <summary>The partitions held now with their fencing tokens (empty once the local deadline passed without a renewal).</summary>
    public IReadOnlyDictionary<int, long> HeldTokens
    {
        get
        {
            var held = Volatile.Read(ref _held);
            return Stopwatch.GetTimestamp() < held.Until ? held.Tokens : new Dictionary<int, long>();
        }
    }

    /// <summary>The partition of a site: FNV-1a of its UTF-8 bytes, modulo <see cref="Partitions"/> (stable across processes and versions).</summary>
    public static int PartitionOf(string site)
    {
        var hash = 2166136261u;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = System.Text.Encoding.UTF8.GetByteCount(site) <= buffer.Length
            ? buffer[..System.Text.Encoding.UTF8.GetBytes(site, buffer)]
            : System.Text.Encoding.UTF8.GetBytes(site);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % Partitions);
    }

    /// <summary>Whether this replica holds the partition now (renewed within 80 % of the lease, so it ends before the row does).</summary>
    public bool Holds(int partition)
    {
        var held = Volatile.Read(ref _held);
        return Stopwatch.GetTimestamp() < held.Until && held.Tokens.ContainsKey(partition);
    }

    /// <summary>
    /// One round: renews the leases still held, notes those lost, and takes free or expired
    /// partitions up to a fair share (partitions / live replicas; a held partition is never taken
    /// from a live replica: with balancing its holder names it as surplus and releases it). Returns
    /// whether the held set changed.
    /// </summary>
    public bool Renew()
    {
        lock (_renewGate)
        {
            var started = Stopwatch.GetTimestamp();
            var tokens = new Dictionary<int, long>();
            var surplus = new List<int>();
            var holders = new Dictionary<int, string>();
            using (var connection = _db.OpenConnection())
            using (var tx = connection.BeginTransaction())
            {
                Read(connection, tx, $"UPDATE {_table} SET expires = clock_timestamp() + $2 WHERE holder = $1 AND expires > clock_timestamp() RETURNING partition, token", tokens);
                var previous = Volatile.Read(ref _held).Tokens;
                foreach (var (partition, token) in tokens.ToList())
                {
                    if (!previous.TryGetValue(partition, out var mine) || mine != token)
                    {
                        tokens.Remove(partition); // not a lease this process took (a previous run under the same name): take it anew below
                    }
                }

                long others;
                if (_balance)
                {
                    others = Balance(connection, tx, tokens, holders, surplus);
                }
                else
                {
                    using var count = new NpgsqlCommand($"SELECT count(DISTINCT holder) FROM {_table} WHERE holder IS NOT NULL AND holder <> $1 AND expires > clock_timestamp()", connection, tx);
                    count.Parameters.Add(new NpgsqlParameter { Value = Replica });
                    others = (long)count.ExecuteScalar()!;
                }

                var share = (int)Math.Ceiling(Count / (double)(others + 1));
                if (share > tokens.Count && surplus.Count == 0)
                {
                    using var take = new NpgsqlCommand(
                        $"""
                        UPDATE {_table} l SET holder = $1, token = l.token + 1, expires = clock_timestamp() + $2
                        FROM (SELECT partition FROM {_table}
                              WHERE (holder IS NULL OR expires <= clock_timestamp() OR holder = $1) AND NOT (partition = ANY($4))
                              ORDER BY partition LIMIT $3 FOR UPDATE SKIP LOCKED) f
                        WHERE l.partition = f.partition RETURNING l.partition, l.token
                        """,
                        connection,
                        tx);
                    Parameters(take);
                    take.Parameters.Add(new NpgsqlParameter { Value = share - tokens.Count });
                    take.Parameters.Add(new NpgsqlParameter { Value = tokens.Keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                    using var r = take.ExecuteReader();
                    while (r.Read())
                    {
                        tokens[r.GetInt32(0)] = r.GetInt64(1);
                        holders[r.GetInt32(0)] = Replica;
                    }
                }

                tx.Commit();
            }

            foreach (var partition in tokens.Keys)
            {
                holders[partition] = Replica;
            }

            Volatile.Write(ref _shares, new Shares(holders, surplus));

            var until = started + (long)(Ttl.TotalSeconds * 0.8 * Stopwatch.Frequency);
            var changed = !Same(Volatile.Read(ref _held).Tokens, tokens);
            Volatile.Write(ref _held, new Held(tokens, until));
            if (changed)
            {
                Interlocked.Increment(ref _generation);
            }

            return changed;
        }
    }

    /// <summary>Gives every lease up at once (a graceful stop, after the last state was written), so another replica takes over at its next round instead of after the expiry.</summary>
    public void Release()
    {
        lock (_renewGate)
        {
            Volatile.Write(ref _held, new Held(new Dictionary<int, long>(), 0));
            Volatile.Write(ref _shares, new Shares(new Dictionary<int, string>(), []));
            Interlocked.Increment(ref _generation);
            using var cmd = _db.CreateCommand($"UPDATE {_table} SET holder = NULL, expires = '-infinity' WHERE holder = $1");
            cmd.Parameters.Add(new NpgsqlParameter { Value = Replica });
            cmd.ExecuteNonQuery();
            if (_balance)
            {
                using var member = _db.CreateCommand("DELETE FROM lease_members WHERE scope = $1 AND replica = $2");
                member.Parameters.Add(new NpgsqlParameter { Value = _table });
                member.Parameters.Add(new NpgsqlParameter { Value = Replica });
                member.ExecuteNonQuery();
            }
        }
    }

    /// <summary>
    /// Gives one lease up (a hand-over: its owner has nothing of the partition in flight any more), so
    /// the replica short of its share takes it at its next round. Only the row taken with this
    /// replica's token is freed.
    /// </summary>
    public void Release(int partition)
    {
        lock (_renewGate)
        {
            var now = Volatile.Read(ref _held);
            if (!now.Tokens.TryGetValue(partition, out var token))
            {
                return;
            }

            Volatile.Write(ref _held, new Held(now.Tokens.Where(t => t.Key != partition).ToDictionary(t => t.Key, t => t.Value), now.Until));
            var shares = Volatile.Read(ref _shares);
            Volatile.Write(ref _shares, new Shares(shares.Holders.Where(h => h.Key != partition).ToDictionary(h => h.Key, h => h.Value), shares.Surplus.Where(p => p != partition).ToList()));
            Interlocked.Increment(ref _generation);
            using var cmd = _db.CreateCommand($"UPDATE {_table} SET holder = NULL, expires = '-infinity' WHERE partition = $1 AND holder = $2 AND token = $3");
            cmd.Parameters.Add(new NpgsqlParameter { Value = partition });
            cmd.Parameters.Add(new NpgsqlParameter { Value = Replica });
            cmd.Parameters.Add(new NpgsqlParameter { Value = token });
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Registers this replica as alive, reads who holds what, and works out the fair share: with M live
    /// replicas (members or holders) each should hold ⌊N/M⌋ or ⌈N/M⌉. A replica above ⌈N/M⌉, or above
    /// ⌊N/M⌋ while another is below it, names its surplus instead of taking more. Returns the other live replicas.
    /// </summary>
    private long Balance(NpgsqlConnection connection, NpgsqlTransaction tx, Dictionary<int, long> tokens, Dictionary<int, string> holders, List<int> surplus)
    {
        using (var member = new NpgsqlCommand("INSERT INTO lease_members (scope, replica, expires) VALUES ($3, $1, clock_timestamp() + $2) ON CONFLICT (scope, replica) DO UPDATE SET expires = EXCLUDED.expires", connection, tx))
        {
            Parameters(member);
            member.Parameters.Add(new NpgsqlParameter { Value = _table });
            member.ExecuteNonQuery();
        }

        var live = new HashSet<string>(StringComparer.Ordinal) { Replica };
        using (var members = new NpgsqlCommand("SELECT replica FROM lease_members WHERE scope = $1 AND expires > clock_timestamp()", connection, tx))
        {
            members.Parameters.Add(new NpgsqlParameter { Value = _table });
            using var r = members.ExecuteReader();
            while (r.Read())
            {
                live.Add(r.GetString(0));
            }
        }

        using (var rows = new NpgsqlCommand($"SELECT partition, holder FROM {_table} WHERE holder IS NOT NULL AND holder <> $1 AND expires > clock_timestamp()", connection, tx))
        {
            rows.Parameters.Add(new NpgsqlParameter { Value = Replica });
            using var r = rows.ExecuteReader();
            while (r.Read())
            {
                holders[r.GetInt32(0)] = r.GetString(1);
                live.Add(r.GetString(1));
            }
        }

        var floor = Count / live.Count;
        var ceiling = (Count + live.Count - 1) / live.Count;
        var held = holders.Values.Where(h => h != Replica).GroupBy(h => h, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var starved = live.Any(m => m != Replica && held.GetValueOrDefault(m) < floor);
        var excess = tokens.Count > ceiling ? tokens.Count - ceiling : tokens.Count > floor && starved ? 1 : 0;
        surplus.AddRange(tokens.Keys.OrderDescending().Take(excess));
        return live.Count - 1;
    }

    /// <summary>
    /// In the transaction about to commit: the lease rows of <paramref name="partitions"/> are locked
    /// (FOR SHARE, so no other replica can take them before this commit) and must still be this
    /// replica's, unexpired, with the token it took them with. Otherwise the partitions are dropped
    /// from the held set and <see cref="LeaseLostException"/> aborts the commit.
    /// </summary>
    public void Fence(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyCollection<int> partitions)
    {
        var held = Volatile.Read(ref _held);
        var rows = new Dictionary<int, long>();
        using (var cmd = new NpgsqlCommand($"SELECT partition, token FROM {_table} WHERE partition = ANY($2) AND holder = $1 AND expires > clock_timestamp() FOR SHARE", connection, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = Replica });
            cmd.Parameters.Add(new NpgsqlParameter { Value = partitions.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows[r.GetInt32(0)] = r.GetInt64(1);
            }
        }

        var lost = partitions.Where(p => !held.Tokens.TryGetValue(p, out var token) || !rows.TryGetValue(p, out var row) || row != token).ToList();
        if (lost.Count == 0)
        {
            return;
        }

        lock (_renewGate)
        {
            var now = Volatile.Read(ref _held);
            var kept = now.Tokens.Where(t => !lost.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value);
            Volatile.Write(ref _held, new Held(kept, now.Until));
            Interlocked.Increment(ref _generation);
        }

        throw new LeaseLostException(lost);
    }

    private void Read(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, Dictionary<int, long> into)
    {
        using var cmd = new NpgsqlCommand(sql, connection, tx);
        Parameters(cmd);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            into[r.GetInt32(0)] = r.GetInt64(1);
        }
    }

    private void Parameters(NpgsqlCommand cmd)
    {
        cmd.Parameters.Add(new NpgsqlParameter { Value = Replica });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Ttl, NpgsqlDbType = NpgsqlDbType.Interval });
    }

    private static bool Same(IReadOnlyDictionary<int, long> a, Dictionary<int, long> b) =>
        a.Count == b.Count && a.All(t => b.TryGetValue(t.Key, out var token) && token == t.Value);

    /// <summary>The held partitions with their tokens, valid until <see cref="Until"/> (Stopwatch timestamp).</summary>
    private sealed record Held(IReadOnlyDictionary<int, long> Tokens, long Until);

    /// <summary>What the last round saw: the live holders, and this replica's surplus.</summary>
    private sealed record Shares(IReadOnlyDictionary<int, string> Holders, IReadOnlyList<int> Surplus);
}
