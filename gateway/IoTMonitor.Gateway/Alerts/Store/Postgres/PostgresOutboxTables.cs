using Npgsql;
using NpgsqlTypes;

namespace IoTMonitor.Gateway.Alerts.Store.Postgres;

/// <summary>
/// The outbox (one row per event, channel and recipient) and every delivery attempt. A notice is
/// inserted only by a fenced commit; a replica's dispatcher looks only at the notices of alerts in
/// the partitions it holds, and sends one only under a claim on its row (<see cref="Claim"/>): the
/// claim is taken in one statement that also raises the row's claim token, and lasts longer than one
/// send, so a dispatcher whose partition moved while it was sending keeps the notice to itself until
/// it records the outcome, and two dispatchers never send the same notice at the same time.
/// </summary>
internal sealed class PostgresOutboxTables(PostgresAlertDatabase db)
{
    private const string Columns = "o.id, o.key, o.alert_id, o.event_id, o.event_type, o.channel, o.recipient, o.payload, o.status, o.attempts, o.due, o.sent_at, o.receipt, o.last_error";

    /// <summary>The database's clock in Unix milliseconds: claims run out by one clock for every replica.</summary>
    private const string DbNow = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    public bool Enqueue(string key, string alertId, string eventId, string eventType, string channel, string recipient, string payload, DateTimeOffset due, DateTimeOffset now) =>
        db.Execute(
            """
            INSERT INTO alert_outbox (key, alert_id, event_id, event_type, channel, recipient, payload, status, due, created)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) ON CONFLICT (key) DO NOTHING
            """,
            key,
            alertId,
            eventId,
            eventType,
            channel,
            recipient,
            payload,
            due.ToUnixTimeMilliseconds(),
            now.ToUnixTimeMilliseconds()) > 0;

    public int CancelPending(string alertId, string eventType) =>
        db.Execute("UPDATE alert_outbox SET status = 'cancelled' WHERE alert_id = $1 AND event_type = $2 AND status = 'pending'", alertId, eventType);

    public List<OutboxEntry> Due(DateTimeOffset now, int limit, int[] partitions) => db.Query(
        $"""
        SELECT {Columns} FROM alert_outbox o JOIN alerts a ON a.id = o.alert_id
        WHERE o.status = 'pending' AND o.due <= $1 AND o.claimed_until <= {DbNow} AND a.partition = ANY($3) ORDER BY o.due, o.id LIMIT $2
        """,
        ReadEntry,
        now.ToUnixTimeMilliseconds(),
        limit,
        Partitions(partitions));

    // a notice claimed by another dispatcher is due for this one only once that claim has run out
    public DateTimeOffset? NextDue(int[] partitions) =>
        db.Scalar("SELECT min(greatest(o.due, o.claimed_until)) FROM alert_outbox o JOIN alerts a ON a.id = o.alert_id WHERE o.status = 'pending' AND a.partition = ANY($1)", Partitions(partitions)) is long ms
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    public List<OutboxEntry> List(string? alertId, string? status, int limit)
    {
        var sql = $"SELECT {Columns} FROM alert_outbox o WHERE true";
        var args = new List<object?>();
        if (alertId is not null)
        {
            args.Add(alertId);
            sql += $" AND o.alert_id = ${args.Count}";
        }

        if (status is not null)
        {
            args.Add(status);
            sql += $" AND o.status = ${args.Count}";
        }

        args.Add(limit);
        sql += $" ORDER BY o.id DESC LIMIT ${args.Count}";
        return db.Query(sql, ReadEntry, [.. args]);
    }

    /// <summary>
    /// Takes the row for one send when it is pending and no claim on it is running; the row lock of
    /// the UPDATE makes a second dispatcher's concurrent claim wait and then find the claim running.
    /// </summary>
    public long? Claim(long id, string replica, TimeSpan hold) =>
        db.Scalar(
            $"""
            UPDATE alert_outbox SET claim = claim + 1, claimed_by = $2, claimed_until = {DbNow} + $3
            WHERE id = $1 AND status = 'pending' AND claimed_until <= {DbNow} RETURNING claim
            """,
            id,
            replica,
            (long)hold.TotalMilliseconds) as long?;

    public void ReleaseClaim(long id, long claim) =>
        db.Execute("UPDATE alert_outbox SET claimed_until = 0 WHERE id = $1 AND claim = $2", id, claim);

    public void RecordAttempt(long id, long claim, DateTimeOffset at, bool ok, string detail, string? receipt, DateTimeOffset? retryAt) =>
        db.InTransaction(
            () =>
            {
                db.Execute("INSERT INTO alert_delivery_attempts (outbox_id, at, ok, detail) VALUES ($1, $2, $3, $4)", id, at.ToUnixTimeMilliseconds(), ok, detail);
                if (ok)
                {
                    db.Execute("UPDATE alert_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $2, receipt = $3, last_error = NULL, claimed_until = 0 WHERE id = $1 AND status = 'pending'", id, at.ToUnixTimeMilliseconds(), Text(receipt));
                }
                else if (retryAt is null)
                {
                    db.Execute("UPDATE alert_outbox SET status = 'failed', attempts = attempts + 1, last_error = $2, claimed_until = 0 WHERE id = $1 AND status = 'pending' AND claim = $3", id, detail, claim);
                }
                else
                {
                    db.Execute("UPDATE alert_outbox SET attempts = attempts + 1, due = $2, last_error = $3, claimed_until = 0 WHERE id = $1 AND status = 'pending' AND claim = $4", id, retryAt.Value.ToUnixTimeMilliseconds(), detail, claim);
                }

                return 0;
            },
            fenced: false);

    public void Defer(long id, long claim, DateTimeOffset at, string detail, DateTimeOffset retryAt) =>
        db.InTransaction(
            () =>
            {
                db.Execute("INSERT INTO alert_delivery_attempts (outbox_id, at, ok, detail) VALUES ($1, $2, false, $3)", id, at.ToUnixTimeMilliseconds(), detail);

                // rounded up to the millisecond, as on SQLite: a due time cut down could wake the entry before the window reopens
                db.Execute("UPDATE alert_outbox SET due = $2, last_error = $3, claimed_until = 0 WHERE id = $1 AND status = 'pending' AND claim = $4", id, retryAt.AddTicks(TimeSpan.TicksPerMillisecond - 1).ToUnixTimeMilliseconds(), detail, claim);
                return 0;
            },
            fenced: false);

    public List<DeliveryAttempt> Attempts(long outboxId) =>
        db.Query(
            "SELECT outbox_id, at, ok, detail FROM alert_delivery_attempts WHERE outbox_id = $1 ORDER BY id",
            r => new DeliveryAttempt(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetBoolean(2), r.GetString(3)),
            outboxId);

    private static NpgsqlParameter Partitions(int[] partitions) => new() { Value = partitions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer };

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static OutboxEntry ReadEntry(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        r.GetString(5),
        r.GetString(6),
        r.GetString(7),
        r.GetString(8),
        r.GetInt32(9),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
        r.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
        r.IsDBNull(12) ? null : r.GetString(12),
        r.IsDBNull(13) ? null : r.GetString(13));
}
