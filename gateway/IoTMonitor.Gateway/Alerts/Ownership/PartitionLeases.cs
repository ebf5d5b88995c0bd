// Leases in PostgreSQL: sites are hashed into a fixed number of partitions, and a replica evaluates
// a partition's sites only while it holds the partition's lease row (holder, token, expires). It
// renews its leases well before they expire; a replica that stops releases them at once, one that
// dies (kill -9, power, network) loses them when they expire, and another takes them with a new
// token. Every commit of evaluation state is fenced by the row (Fence): a replica whose lease expired
// or was taken cannot commit a state, an alert or a notice, whatever its own clock says.

using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace IoTMonitor.Gateway.Alerts.Ownership;

/// <summary>
/// This replica's partition leases (table <c>alert_leases</c>): acquire, renew, release, and the
/// fence checked in the transaction that writes a partition's state. Thread-safe: one loop renews,
/// the engine and the dispatcher read the held set.
/// </summary>
public sealed class PartitionLeases
{
    /// <summary>Partitions of the site space; fixed, since every replica must hash a site alike.</summary>
    public const int Partitions = 16;

    private readonly NpgsqlDataSource _db;
    private readonly object _renewGate = new();
    private Held _held = new(new Dictionary<int, long>(), 0);
    private long _generation;

    /// <param name="ttl">How long a lease lasts without renewal: the failover time after a replica dies is at most this plus one renewal interval.</param>
    public PartitionLeases(NpgsqlDataSource db, string replica, TimeSpan ttl)
    {
        _db = db;
        Replica = replica;
        Ttl = ttl;
        using var cmd = db.CreateCommand("INSERT INTO alert_leases (partition, holder, token, expires) SELECT g, NULL, 0, '-infinity' FROM generate_series(0, $1 - 1) g ON CONFLICT DO NOTHING");
        cmd.Parameters.Add(new NpgsqlParameter { Value = Partitions });
        cmd.ExecuteNonQuery();
    }

    public string Replica { get; }

    public TimeSpan Ttl { get; }

    /// <summary>Changes whenever the set of held partitions (or a token) changes.</summary>
    public long Generation => Interlocked.Read(ref _generation);

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
    /// from a live replica). Returns whether the held set changed.
    /// </summary>
    public bool Renew()
    {
        lock (_renewGate)
        {
            var started = Stopwatch.GetTimestamp();
            var tokens = new Dictionary<int, long>();
            using (var connection = _db.OpenConnection())
            using (var tx = connection.BeginTransaction())
            {
                Read(connection, tx, "UPDATE alert_leases SET expires = clock_timestamp() + $2 WHERE holder = $1 AND expires > clock_timestamp() RETURNING partition, token", tokens);
                var previous = Volatile.Read(ref _held).Tokens;
                foreach (var (partition, token) in tokens.ToList())
                {
                    if (!previous.TryGetValue(partition, out var mine) || mine != token)
                    {
                        tokens.Remove(partition); // not a lease this process took (a previous run under the same name): take it anew below
                    }
                }

                long others;
                using (var count = new NpgsqlCommand("SELECT count(DISTINCT holder) FROM alert_leases WHERE holder IS NOT NULL AND holder <> $1 AND expires > clock_timestamp()", connection, tx))
                {
                    count.Parameters.Add(new NpgsqlParameter { Value = Replica });
                    others = (long)count.ExecuteScalar()!;
                }

                var share = (int)Math.Ceiling(Partitions / (double)(others + 1));
                if (share > tokens.Count)
                {
                    using var take = new NpgsqlCommand(
                        """
                        UPDATE alert_leases l SET holder = $1, token = l.token + 1, expires = clock_timestamp() + $2
                        FROM (SELECT partition FROM alert_leases
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
                    }
                }

                tx.Commit();
            }

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
            Interlocked.Increment(ref _generation);
            using var cmd = _db.CreateCommand("UPDATE alert_leases SET holder = NULL, expires = '-infinity' WHERE holder = $1");
            cmd.Parameters.Add(new NpgsqlParameter { Value = Replica });
            cmd.ExecuteNonQuery();
        }
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
        using (var cmd = new NpgsqlCommand("SELECT partition, token FROM alert_leases WHERE partition = ANY($2) AND holder = $1 AND expires > clock_timestamp() FOR SHARE", connection, tx))
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
}
