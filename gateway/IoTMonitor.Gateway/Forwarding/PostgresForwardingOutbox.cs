using IoTMonitor.Gateway.State;
using Npgsql;

namespace IoTMonitor.Gateway.Forwarding;

/// <summary>
/// The outbox of one platform in PostgreSQL (tables <c>forwarding_*</c> of
/// <see cref="State.Migrations.GatewayStoresSchema"/>, rows of this outbox under its name
/// <c>{protocol}-{platform}</c>), shared by every replica: each stores the packets of the readings it
/// received, a packet offered by two replicas is stored once (<c>UNIQUE (outbox, key)</c>).
/// <para>
/// Each report is sent by one replica only: the replica that holds the platform's row in
/// <c>forwarding_lease</c> sends, the others find no pending packets. The lease is taken or renewed
/// in one upsert (taken when free or expired, by the database's clock) each time the link asks for
/// packets and again at each send attempt, and the attempt is counted in the same statement only
/// while the lease is this replica's; a packet another replica finished meanwhile is not sent again.
/// The lease lasts longer than one wait for an answer (the caller gives it), so the holder renews it
/// before it runs out; when the holder stops cleanly it gives the lease up, when it dies another
/// replica takes over once the lease has run out and resends the packet that was not answered (the
/// platform may then get it twice, as after any lost answer).
/// </para>
/// </summary>
public sealed class PostgresForwardingOutbox(PostgresState state, string outbox, string holder, TimeSpan lease) : IForwardingOutbox
{
    private const int Pending = 0;
    private const int Sent = 1;
    private const int Answered = 2;

    /// <summary>Takes the lease when free, expired, or already ours; returns a row when this replica holds it.</summary>
    private const string TakeLease = """
        INSERT INTO forwarding_lease (outbox, holder, until) VALUES ($1, $2, now() + $3)
        ON CONFLICT (outbox) DO UPDATE SET holder = excluded.holder, until = excluded.until
        WHERE forwarding_lease.holder = excluded.holder OR forwarding_lease.until < now()
        RETURNING 1
        """;

    public string Holder => holder;

    public bool Contains(string key)
    {
        using var cmd = Command("SELECT EXISTS(SELECT 1 FROM forwarding_packet WHERE outbox = $1 AND (key = $2 OR key = $2 || '#1'))", key);
        return (bool)cmd.ExecuteScalar()!;
    }

    public int NextCounter(string name, int max)
    {
        using var cmd = Command(
            """
            INSERT INTO forwarding_counter (outbox, name, value) VALUES ($1, $2, 1)
            ON CONFLICT (outbox, name) DO UPDATE SET value = CASE WHEN forwarding_counter.value >= $3 THEN 1 ELSE forwarding_counter.value + 1 END
            RETURNING value
            """, name, max);
        return (int)cmd.ExecuteScalar()!;
    }

    public bool Add(string key, string kind, string site, long dataTime, IReadOnlyList<(string Qn, string Frame)> parts, DateTimeOffset now)
    {
        using var connection = state.DataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        if (!Insert(connection, tx, key, kind, site, dataTime, parts, now))
        {
            tx.Rollback();
            return false;
        }

        tx.Commit();
        return true;
    }

    /// <summary>
    /// The outbox's row in <c>forwarding_stamp</c> (the last message time issued, in the database so
    /// every replica continues from it) is locked first and held to the commit: the times are issued,
    /// and the packets get their ids, in one order across replicas, so the platform (sent in id
    /// order) sees the QNs increase, whatever the replicas' clocks say.
    /// </summary>
    public bool AddStamped(string key, string kind, string site, long dataTime, Func<Func<DateTimeOffset>, IReadOnlyList<(string Qn, string Frame)>> compose, DateTimeOffset now)
    {
        using var connection = state.DataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        DateTimeOffset last;
        using (var take = new NpgsqlCommand(
            "INSERT INTO forwarding_stamp (outbox, last_ms) VALUES ($1, 0) ON CONFLICT (outbox) DO UPDATE SET last_ms = forwarding_stamp.last_ms RETURNING last_ms",
            connection,
            tx))
        {
            Add(take, outbox);
            last = DateTimeOffset.FromUnixTimeMilliseconds((long)take.ExecuteScalar()!);
        }

        var parts = compose(() => last = MessageTimes.After(last, now));
        if (parts.Count == 0 || !Insert(connection, tx, key, kind, site, dataTime, parts, now))
        {
            tx.Rollback();
            return false;
        }

        using (var save = new NpgsqlCommand("UPDATE forwarding_stamp SET last_ms = $2 WHERE outbox = $1", connection, tx))
        {
            Add(save, outbox, last.ToUnixTimeMilliseconds());
            save.ExecuteNonQuery();
        }

        tx.Commit();
        return true;
    }

    private bool Insert(NpgsqlConnection connection, NpgsqlTransaction tx, string key, string kind, string site, long dataTime, IReadOnlyList<(string Qn, string Frame)> parts, DateTimeOffset now)
    {
        for (var i = 0; i < parts.Count; i++)
        {
            using var cmd = new NpgsqlCommand(
                "INSERT INTO forwarding_packet (outbox, key, cn, site, data_time, qn, frame, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (outbox, key) DO NOTHING",
                connection,
                tx);
            Add(cmd, outbox, parts.Count == 1 ? key : key + "#" + (i + 1), kind, site, dataTime, parts[i].Qn, parts[i].Frame, now.ToUnixTimeMilliseconds());
            if (cmd.ExecuteNonQuery() == 0)
            {
                return false;
            }
        }

        return true;
    }

    public List<ForwardingOutboxEntry> NextPending(int max)
    {
        var list = new List<ForwardingOutboxEntry>();
        using var connection = state.DataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        using (var take = new NpgsqlCommand(TakeLease, connection, tx))
        {
            Add(take, outbox, holder, lease);
            if (take.ExecuteScalar() is null)
            {
                return list; // another replica sends this platform's packets
            }
        }

        using (var cmd = new NpgsqlCommand($"SELECT id, cn, site, qn, frame, attempts FROM forwarding_packet WHERE outbox = $1 AND state = {Pending} ORDER BY id LIMIT $2", connection, tx))
        {
            Add(cmd, outbox, max);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new ForwardingOutboxEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5)));
            }
        }

        tx.Commit();
        return list;
    }

    public bool BeginAttempt(long id)
    {
        using var cmd = Command(
            $"""
            WITH lease AS ({TakeLease})
            UPDATE forwarding_packet SET attempts = attempts + 1
            WHERE outbox = $1 AND id = $4 AND state = {Pending} AND EXISTS (SELECT 1 FROM lease)
            RETURNING 1
            """, holder, lease, id);
        return cmd.ExecuteScalar() is not null;
    }

    public void MarkDone(long id, bool answered, DateTimeOffset now)
    {
        using var cmd = Command($"UPDATE forwarding_packet SET state = {(answered ? Answered : Sent)}, done = $3 WHERE outbox = $1 AND id = $2 AND state = {Pending}", id, now.ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
    }

    public ForwardingOutboxCounts Counts()
    {
        using var cmd = Command(
            $"""
            SELECT count(*) FILTER (WHERE state = {Pending}), count(*) FILTER (WHERE state = {Sent}), count(*) FILTER (WHERE state = {Answered}),
              min(created) FILTER (WHERE state = {Pending})
            FROM forwarding_packet WHERE outbox = $1
            """);
        using var r = cmd.ExecuteReader();
        r.Read();
        return new ForwardingOutboxCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)));
    }

    public int Prune(DateTimeOffset before)
    {
        using var cmd = Command($"DELETE FROM forwarding_packet WHERE outbox = $1 AND state <> {Pending} AND done < $2", before.ToUnixTimeMilliseconds());
        return cmd.ExecuteNonQuery();
    }

    public long? NextPeriod(string site, string kind)
    {
        using var cmd = Command("SELECT next_start FROM forwarding_period WHERE outbox = $1 AND site = $2 AND cn = $3", site, kind);
        return cmd.ExecuteScalar() is long v ? v : null;
    }

    /// <summary>Only ever moves forward: replicas building the same periods must not send each other back to rebuild them.</summary>
    public void SetNextPeriod(string site, string kind, long nextStart)
    {
        using var cmd = Command(
            "INSERT INTO forwarding_period (outbox, site, cn, next_start) VALUES ($1, $2, $3, $4) ON CONFLICT (outbox, site, cn) DO UPDATE SET next_start = greatest(forwarding_period.next_start, excluded.next_start)",
            site, kind, nextStart);
        cmd.ExecuteNonQuery();
    }

    public void MarkDirty(string site, string kind, long start, long due)
    {
        using var cmd = Command(
            "INSERT INTO forwarding_dirty (outbox, site, cn, start, due) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (outbox, site, cn, start) DO UPDATE SET due = greatest(forwarding_dirty.due, excluded.due)",
            site, kind, start, due);
        cmd.ExecuteNonQuery();
    }

    public List<(string Site, string Kind, long Start, long Due)> DueDirty(long now, int max)
    {
        using var cmd = Command("SELECT site, cn, start, due FROM forwarding_dirty WHERE outbox = $1 AND due <= $2 ORDER BY start LIMIT $3", now, max);
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string, long, long)>();
        while (r.Read())
        {
            list.Add((r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)));
        }

        return list;
    }

    public void ClearDirty(string site, string kind, long start, long dueSeen)
    {
        using var cmd = Command("DELETE FROM forwarding_dirty WHERE outbox = $1 AND site = $2 AND cn = $3 AND start = $4 AND due <= $5", site, kind, start, dueSeen);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Gives the lease up, so another replica takes the platform over at once rather than when it runs out.</summary>
    public void Dispose()
    {
        try
        {
            using var cmd = Command("DELETE FROM forwarding_lease WHERE outbox = $1 AND holder = $2", holder);
            cmd.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // database unreachable at stop: the lease runs out by itself
        }
    }

    /// <summary>A command on this outbox: <c>$1</c> is the outbox name, the values follow as <c>$2</c>….</summary>
    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var cmd = state.DataSource.CreateCommand(sql);
        Add(cmd, [outbox, .. values]);
        return cmd;
    }

    private static void Add(NpgsqlCommand cmd, params object[] values)
    {
        foreach (var value in values)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        }
    }
}
