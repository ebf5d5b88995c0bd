using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Alerts.Store;

/// <summary>The outbox (one row per event, channel and recipient) and every delivery attempt, with the dispatcher's retry and deferral state.</summary>
internal sealed class OutboxTables
{
    private readonly AlertDatabase _db;

    public OutboxTables(AlertDatabase db)
    {
        _db = db;
        db.Execute("""
            CREATE TABLE IF NOT EXISTS outbox (
              id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, alert_id TEXT NOT NULL, event_id TEXT NOT NULL,
              event_type TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL, payload TEXT NOT NULL,
              status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL, created INTEGER NOT NULL,
              sent_at INTEGER, receipt TEXT, last_error TEXT);
            CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, due);
            CREATE INDEX IF NOT EXISTS outbox_alert ON outbox (alert_id, event_type);
            CREATE TABLE IF NOT EXISTS delivery_attempts (
              id INTEGER PRIMARY KEY AUTOINCREMENT, outbox_id INTEGER NOT NULL, at INTEGER NOT NULL, ok INTEGER NOT NULL, detail TEXT NOT NULL);
            """);
    }

    public bool Enqueue(string key, string alertId, string eventId, string eventType, string channel, string recipient, string payload, DateTimeOffset due, DateTimeOffset now)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("""
                INSERT INTO outbox (key, alert_id, event_id, event_type, channel, recipient, payload, status, due, created)
                VALUES ($k, $a, $e, $t, $c, $r, $p, 'pending', $due, $now) ON CONFLICT(key) DO NOTHING
                """);
            cmd.Parameters.AddWithValue("$k", key);
            cmd.Parameters.AddWithValue("$a", alertId);
            cmd.Parameters.AddWithValue("$e", eventId);
            cmd.Parameters.AddWithValue("$t", eventType);
            cmd.Parameters.AddWithValue("$c", channel);
            cmd.Parameters.AddWithValue("$r", recipient);
            cmd.Parameters.AddWithValue("$p", payload);
            cmd.Parameters.AddWithValue("$due", due.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery() > 0;
        }
    }

    public int CancelPending(string alertId, string eventType)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("UPDATE outbox SET status = 'cancelled' WHERE alert_id = $a AND event_type = $t AND status = 'pending'");
            cmd.Parameters.AddWithValue("$a", alertId);
            cmd.Parameters.AddWithValue("$t", eventType);
            return cmd.ExecuteNonQuery();
        }
    }

    public List<OutboxEntry> Due(DateTimeOffset now, int limit) =>
        _db.Query("SELECT * FROM outbox WHERE status = 'pending' AND due <= $now ORDER BY due, id LIMIT $limit", ReadEntry, ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));

    public DateTimeOffset? NextDue()
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("SELECT MIN(due) FROM outbox WHERE status = 'pending'");
            return cmd.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    public List<OutboxEntry> List(string? alertId, string? status, int limit) =>
        _db.Query(
            "SELECT * FROM outbox WHERE ($a IS NULL OR alert_id = $a) AND ($s IS NULL OR status = $s) ORDER BY id DESC LIMIT $limit",
            ReadEntry,
            ("$a", (object?)alertId ?? DBNull.Value),
            ("$s", (object?)status ?? DBNull.Value),
            ("$limit", limit));

    public void RecordAttempt(long id, DateTimeOffset at, bool ok, string detail, string? receipt, DateTimeOffset? retryAt)
    {
        _db.InTransaction(() =>
        {
            using (var a = _db.Command("INSERT INTO delivery_attempts (outbox_id, at, ok, detail) VALUES ($id, $at, $ok, $d)"))
            {
                a.Parameters.AddWithValue("$id", id);
                a.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                a.Parameters.AddWithValue("$ok", ok ? 1 : 0);
                a.Parameters.AddWithValue("$d", detail);
                a.ExecuteNonQuery();
            }

            using var u = _db.Command(ok
                ? "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $at, receipt = $receipt, last_error = NULL WHERE id = $id AND status = 'pending'"
                : retryAt is null
                    ? "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $d WHERE id = $id AND status = 'pending'"
                    : "UPDATE outbox SET attempts = attempts + 1, due = $due, last_error = $d WHERE id = $id AND status = 'pending'");
            u.Parameters.AddWithValue("$id", id);
            u.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            u.Parameters.AddWithValue("$receipt", (object?)receipt ?? DBNull.Value);
            u.Parameters.AddWithValue("$d", detail);
            u.Parameters.AddWithValue("$due", retryAt?.ToUnixTimeMilliseconds() ?? 0);
            u.ExecuteNonQuery();
            return 0;
        });
    }

    public void Defer(long id, DateTimeOffset at, string detail, DateTimeOffset retryAt)
    {
        _db.InTransaction(() =>
        {
            using (var a = _db.Command("INSERT INTO delivery_attempts (outbox_id, at, ok, detail) VALUES ($id, $at, 0, $d)"))
            {
                a.Parameters.AddWithValue("$id", id);
                a.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                a.Parameters.AddWithValue("$d", detail);
                a.ExecuteNonQuery();
            }

            using var u = _db.Command("UPDATE outbox SET due = $due, last_error = $d WHERE id = $id AND status = 'pending'");
            u.Parameters.AddWithValue("$id", id);
            // rounded up to the millisecond: a due time cut down could wake the entry a fraction of a
            // millisecond before the channel's own window reopens, and it would be deferred once more
            u.Parameters.AddWithValue("$due", retryAt.AddTicks(TimeSpan.TicksPerMillisecond - 1).ToUnixTimeMilliseconds());
            u.Parameters.AddWithValue("$d", detail);
            u.ExecuteNonQuery();
            return 0;
        });
    }

    public List<DeliveryAttempt> Attempts(long outboxId) =>
        _db.Query(
            "SELECT outbox_id, at, ok, detail FROM delivery_attempts WHERE outbox_id = $id ORDER BY id",
            r => new DeliveryAttempt(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetInt64(2) != 0, r.GetString(3)),
            ("$id", outboxId));

    private static OutboxEntry ReadEntry(SqliteDataReader r) => new(
        r.GetInt64(r.GetOrdinal("id")),
        r.GetString(r.GetOrdinal("key")),
        r.GetString(r.GetOrdinal("alert_id")),
        r.GetString(r.GetOrdinal("event_id")),
        r.GetString(r.GetOrdinal("event_type")),
        r.GetString(r.GetOrdinal("channel")),
        r.GetString(r.GetOrdinal("recipient")),
        r.GetString(r.GetOrdinal("payload")),
        r.GetString(r.GetOrdinal("status")),
        r.GetInt32(r.GetOrdinal("attempts")),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(r.GetOrdinal("due"))),
        r.IsDBNull(r.GetOrdinal("sent_at")) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(r.GetOrdinal("sent_at"))),
        r.IsDBNull(r.GetOrdinal("receipt")) ? null : r.GetString(r.GetOrdinal("receipt")),
        r.IsDBNull(r.GetOrdinal("last_error")) ? null : r.GetString(r.GetOrdinal("last_error")));
}
