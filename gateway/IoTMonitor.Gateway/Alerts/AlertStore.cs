using System.Text.Json;
using IoTMonitor.Gateway.Sqlite;
using Microsoft.Data.Sqlite;

using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>A query over alerts (API and history).</summary>
public sealed record AlertQuery(string? State = null, string? Site = null, string? Device = null, string? RuleId = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 200);

/// <summary>
/// The alert engine's own SQLite file (not the registry's): rules, evaluation windows, node
/// schedules, alerts and their events, the outbox and its delivery attempts. One connection,
/// serialised by a lock; <see cref="InTransaction{T}"/> groups changes so an alert and its
/// notifications are committed together.
/// </summary>
public sealed partial class AlertStore : IDisposable
{
    private readonly object _gate = new();
    private readonly SqliteConnection _db;
    private SqliteTransaction? _tx;
    private SqliteCommand? _saveState;
    private SqliteCommand? _saveSchedule;
    private long _commits;
    private long _stateWrites;
    private long _stateBytes;
    private long _scheduleWrites;

    public AlertStore(string path)
    {
        _db = SqliteFile.Open(path);
        Execute("""
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS rules (
              id TEXT PRIMARY KEY, json TEXT NOT NULL, origin TEXT NOT NULL, updated INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS rule_state (
              rule_id TEXT NOT NULL, device TEXT NOT NULL, site TEXT NOT NULL, json TEXT NOT NULL, window BLOB, PRIMARY KEY (rule_id, device));
            CREATE TABLE IF NOT EXISTS schedules (device TEXT PRIMARY KEY, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS alerts (
              id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, subject TEXT NOT NULL, site TEXT NOT NULL, device TEXT NOT NULL,
              state TEXT NOT NULL, detected INTEGER NOT NULL, json TEXT NOT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_active ON alerts (rule_id, subject) WHERE state <> 'resolved';
            CREATE INDEX IF NOT EXISTS alerts_detected ON alerts (detected);
            -- a reopening looks up the latest resolved alert of its rule and subject and cancels its pending
            -- notices: without these two indexes each was a scan of every alert and every notification, and
            -- a fleet-wide reopening (e.g. the queue drained at a stop) evaluated a few dozen batches a second
            CREATE INDEX IF NOT EXISTS alerts_rule_subject ON alerts (rule_id, subject, detected);
            CREATE TABLE IF NOT EXISTS alert_events (
              id TEXT PRIMARY KEY, alert_id TEXT NOT NULL, type TEXT NOT NULL, at INTEGER NOT NULL, detail TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS alert_events_alert ON alert_events (alert_id, at);
            CREATE TABLE IF NOT EXISTS outbox (
              id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, alert_id TEXT NOT NULL, event_id TEXT NOT NULL,
              event_type TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL, payload TEXT NOT NULL,
              status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL, created INTEGER NOT NULL,
              sent_at INTEGER, receipt TEXT, last_error TEXT);
            CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, due);
            CREATE INDEX IF NOT EXISTS outbox_alert ON outbox (alert_id, event_type);
            CREATE TABLE IF NOT EXISTS delivery_attempts (
              id INTEGER PRIMARY KEY AUTOINCREMENT, outbox_id INTEGER NOT NULL, at INTEGER NOT NULL, ok INTEGER NOT NULL, detail TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS evaluated_sequences (device TEXT PRIMARY KEY, json TEXT NOT NULL);
            """);
        AddWindowColumn();
    }

    /// <summary>
    /// A file written before the compact sample windows has no <c>window</c> column; its states keep
    /// their window inside the JSON and are read from there until they are next written.
    /// </summary>
    private void AddWindowColumn()
    {
        using var cmd = Command("SELECT COUNT(*) FROM pragma_table_info('rule_state') WHERE name = 'window'");
        if ((long)cmd.ExecuteScalar()! == 0)
        {
            Execute("ALTER TABLE rule_state ADD COLUMN window BLOB");
        }
    }

    /// <summary>Transactions committed (each one an fsync: WAL with synchronous = FULL); tests and /metrics.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Rule states written (<see cref="SaveState"/>); tests and /metrics.</summary>
    public long StateWrites => Interlocked.Read(ref _stateWrites);

    /// <summary>Bytes of rule state handed to SQLite (JSON and sample windows); tests and the engine bench.</summary>
    public long StateBytesWritten => Interlocked.Read(ref _stateBytes);

    /// <summary>Node schedules written (<see cref="SaveSchedule"/>); tests and /metrics.</summary>
    public long ScheduleWrites => Interlocked.Read(ref _scheduleWrites);

    public T InTransaction<T>(Func<T> work)
    {
        lock (_gate)
        {
            if (_tx is not null)
            {
                return work();
            }

            _tx = _db.BeginTransaction();
            try
            {
                var result = work();
                _tx.Commit();
                Interlocked.Increment(ref _commits);
                return result;
            }
            catch
            {
                _tx.Rollback();
                throw;
            }
            finally
            {
                _tx.Dispose();
                _tx = null;
            }
        }
    }

    // ---- counters that outlive the process ------------------------------------------------------

    /// <summary>Adds to a persisted counter (e.g. what a stop had to leave unevaluated: only the next run can report it).</summary>
    public void AddCounter(string name, long delta) => UpsertCounter(name, delta, "value + excluded.value");

    public void SetCounter(string name, long value) => UpsertCounter(name, value, "excluded.value");

    private void UpsertCounter(string name, long value, string update)
    {
        lock (_gate)
        {
            using var cmd = Command($"INSERT INTO counters (name, value) VALUES ($n, $v) ON CONFLICT(name) DO UPDATE SET value = {update}");
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$v", value);
            cmd.ExecuteNonQuery();
        }
    }

    public long Counter(string name)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT value FROM counters WHERE name = $n");
            cmd.Parameters.AddWithValue("$n", name);
            return cmd.ExecuteScalar() is long v ? v : 0;
        }
    }

    // ---- rules -------------------------------------------------------------------------------

    /// <summary>Seeds or refreshes a rule from the rule pack unless an operator changed or deleted it through the API.</summary>
    public void SeedRule(AlertRule rule, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var cmd = Command("""
                INSERT INTO rules (id, json, origin, updated) VALUES ($id, $json, 'pack', $now)
                ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated = excluded.updated WHERE rules.origin = 'pack' AND rules.deleted = 0
                """);
            cmd.Parameters.AddWithValue("$id", rule.Id);
            cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(rule, AlertRule.Json));
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }
    }

    public void PutRule(AlertRule rule, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var cmd = Command("""
                INSERT INTO rules (id, json, origin, updated, deleted) VALUES ($id, $json, 'api', $now, 0)
                ON CONFLICT(id) DO UPDATE SET json = excluded.json, origin = 'api', updated = excluded.updated, deleted = 0
                """);
            cmd.Parameters.AddWithValue("$id", rule.Id);
            cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(rule, AlertRule.Json));
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Marks a rule deleted (kept as a tombstone so the rule pack does not bring it back).</summary>
    public bool DeleteRule(string id, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var cmd = Command("UPDATE rules SET deleted = 1, origin = 'api', updated = $now WHERE id = $id AND deleted = 0");
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery() > 0;
        }
    }

    public List<(AlertRule Rule, string Origin)> LoadRules()
    {
        var list = new List<(AlertRule, string)>();
        lock (_gate)
        {
            using var cmd = Command("SELECT json, origin FROM rules WHERE deleted = 0 ORDER BY id");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add((JsonSerializer.Deserialize<AlertRule>(r.GetString(0), AlertRule.Json)!, r.GetString(1)));
            }
        }

        return list;
    }

    // ---- evaluation state ---------------------------------------------------------------------

    public Dictionary<(string Rule, string Device), (string Site, RuleState State)> LoadStates()
    {
        var map = new Dictionary<(string, string), (string, RuleState)>();
        lock (_gate)
        {
            using var cmd = Command("SELECT rule_id, device, site, json, window FROM rule_state");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                map[(r.GetString(0), r.GetString(1))] = (r.GetString(2), ReadState(r, 3));
            }
        }

        return map;
    }

    /// <summary>One rule state as last committed, or null when none was written.</summary>
    public (string Site, RuleState State)? LoadState(string ruleId, string device)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT site, json, window FROM rule_state WHERE rule_id = $r AND device = $d");
            cmd.Parameters.AddWithValue("$r", ruleId);
            cmd.Parameters.AddWithValue("$d", device);
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetString(0), ReadState(r, 1)) : null;
        }
    }

    /// <summary>The state in columns <paramref name="json"/> and <paramref name="json"/> + 1 (its window).</summary>
    private static RuleState ReadState(SqliteDataReader r, int json)
    {
        var text = r.GetString(json);
        var state = JsonSerializer.Deserialize<RuleState>(text, AlertRule.Json)!;
        if (!r.IsDBNull(json + 1))
        {
            // a window of a format this gateway does not know (written by a newer one) starts empty and refills
            state.Window = SampleWindowCodec.Decode((byte[])r.GetValue(json + 1)) ?? [];
        }
        else if (text.Contains("\"window\"", StringComparison.Ordinal))
        {
            state.Window = LegacyWindow(text);
        }

        state.Saved(); // what was just read is what is stored
        return state;
    }

    /// <summary>A state written before the compact form keeps its window in the JSON: <c>"window":[[t,v],…]</c>.</summary>
    private static List<double[]> LegacyWindow(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("window", out var samples) || samples.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var window = new List<double[]>(samples.GetArrayLength());
        foreach (var s in samples.EnumerateArray())
        {
            window.Add([s[0].GetDouble(), s[1].GetDouble()]);
        }

        return window;
    }

    public void SaveState(string ruleId, string device, string site, RuleState state)
    {
        lock (_gate)
        {
            var cmd = Reused(
                ref _saveState,
                "INSERT INTO rule_state (rule_id, device, site, json, window) VALUES ($r, $d, $s, $j, $w) ON CONFLICT(rule_id, device) DO UPDATE SET json = excluded.json, site = excluded.site, window = excluded.window",
                "$r", "$d", "$s", "$j", "$w");
            var json = JsonSerializer.Serialize(state, AlertRule.Json);
            var window = state.Window.Count > 0 ? SampleWindowCodec.Encode(state.Window) : null;
            cmd.Parameters[0].Value = ruleId;
            cmd.Parameters[1].Value = device;
            cmd.Parameters[2].Value = site;
            cmd.Parameters[3].Value = json;
            cmd.Parameters[4].Value = (object?)window ?? DBNull.Value;
            cmd.ExecuteNonQuery();
            state.Saved();
            Interlocked.Increment(ref _stateWrites);
            Interlocked.Add(ref _stateBytes, System.Text.Encoding.UTF8.GetByteCount(json) + (window?.Length ?? 0));
        }
    }

    public Dictionary<string, NodeSchedule> LoadSchedules()
    {
        var map = new Dictionary<string, NodeSchedule>(StringComparer.Ordinal);
        lock (_gate)
        {
            using var cmd = Command("SELECT device, json FROM schedules");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                map[r.GetString(0)] = ReadSchedule(r.GetString(1));
            }
        }

        return map;
    }

    /// <summary>One node schedule as last committed, or null when none was written.</summary>
    public NodeSchedule? LoadSchedule(string device)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT json FROM schedules WHERE device = $d");
            cmd.Parameters.AddWithValue("$d", device);
            return cmd.ExecuteScalar() is string json ? ReadSchedule(json) : null;
        }
    }

    private static NodeSchedule ReadSchedule(string json)
    {
        var schedule = JsonSerializer.Deserialize<NodeSchedule>(json, AlertRule.Json)!;
        schedule.Saved();
        return schedule;
    }

    public void SaveSchedule(NodeSchedule schedule)
    {
        lock (_gate)
        {
            var cmd = Reused(ref _saveSchedule, "INSERT INTO schedules (device, json) VALUES ($d, $j) ON CONFLICT(device) DO UPDATE SET json = excluded.json", "$d", "$j");
            cmd.Parameters[0].Value = schedule.Device;
            cmd.Parameters[1].Value = JsonSerializer.Serialize(schedule, AlertRule.Json);
            cmd.ExecuteNonQuery();
            schedule.Saved();
            Interlocked.Increment(ref _scheduleWrites);
        }
    }

    // ---- alerts -------------------------------------------------------------------------------

    public void SaveAlert(Alert alert)
    {
        lock (_gate)
        {
            using var cmd = Command("""
                INSERT INTO alerts (id, rule_id, subject, site, device, state, detected, json) VALUES ($id, $rule, $subject, $site, $device, $state, $detected, $json)
                ON CONFLICT(id) DO UPDATE SET state = excluded.state, json = excluded.json
                """);
            cmd.Parameters.AddWithValue("$id", alert.Id);
            cmd.Parameters.AddWithValue("$rule", alert.RuleId);
            cmd.Parameters.AddWithValue("$subject", alert.Subject);
            cmd.Parameters.AddWithValue("$site", alert.Site);
            cmd.Parameters.AddWithValue("$device", alert.Device);
            cmd.Parameters.AddWithValue("$state", alert.State);
            cmd.Parameters.AddWithValue("$detected", alert.DetectedAt.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(alert, AlertRule.Json));
            cmd.ExecuteNonQuery();
        }
    }

    public Alert? GetAlert(string id) => QueryAlerts("SELECT json FROM alerts WHERE id = $a", ("$a", id)).FirstOrDefault();

    /// <summary>The alert of this rule and subject that is not resolved, if any.</summary>
    public Alert? FindActive(string ruleId, string subject) =>
        QueryAlerts("SELECT json FROM alerts WHERE rule_id = $a AND subject = $b AND state <> 'resolved'", ("$a", ruleId), ("$b", subject)).FirstOrDefault();

    /// <summary>The latest alert of this rule and subject resolved at or after <paramref name="since"/>.</summary>
    public Alert? FindResolvedSince(string ruleId, string subject, DateTimeOffset since) =>
        QueryAlerts("SELECT json FROM alerts WHERE rule_id = $a AND subject = $b AND state = 'resolved' ORDER BY detected DESC LIMIT 1", ("$a", ruleId), ("$b", subject))
            .FirstOrDefault(a => a.ResolvedAt >= since);

    public List<Alert> ListActive() => QueryAlerts("SELECT json FROM alerts WHERE state <> 'resolved' ORDER BY detected");

    public List<Alert> ListAlerts(AlertQuery q)
    {
        var sql = "SELECT json FROM alerts WHERE 1 = 1";
        var args = new List<(string, object)>();
        void Where(string clause, string name, object? value)
        {
            if (value is not null)
            {
                sql += " AND " + clause;
                args.Add((name, value));
            }
        }

        Where(q.State == "active" ? "state <> $st" : "state = $st", "$st", q.State == "active" ? AlertStates.Resolved : q.State);
        Where("site = $site", "$site", q.Site);
        Where("device = $device", "$device", q.Device);
        Where("rule_id = $rule", "$rule", q.RuleId);
        Where("detected >= $from", "$from", q.From?.ToUnixTimeMilliseconds());
        Where("detected < $to", "$to", q.To?.ToUnixTimeMilliseconds());
        sql += " ORDER BY detected DESC LIMIT $limit";
        args.Add(("$limit", Math.Clamp(q.Limit, 1, 10_000)));
        return QueryAlerts(sql, args.ToArray());
    }

    public void AddEvent(AlertEvent e)
    {
        lock (_gate)
        {
            using var cmd = Command("INSERT INTO alert_events (id, alert_id, type, at, detail) VALUES ($id, $a, $t, $at, $d)");
            cmd.Parameters.AddWithValue("$id", e.Id);
            cmd.Parameters.AddWithValue("$a", e.AlertId);
            cmd.Parameters.AddWithValue("$t", e.Type);
            cmd.Parameters.AddWithValue("$at", e.At.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$d", e.Detail);
            cmd.ExecuteNonQuery();
        }
    }

    public List<AlertEvent> Events(string alertId)
    {
        var list = new List<AlertEvent>();
        lock (_gate)
        {
            using var cmd = Command("SELECT id, alert_id, type, at, detail FROM alert_events WHERE alert_id = $a ORDER BY at, rowid");
            cmd.Parameters.AddWithValue("$a", alertId);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new AlertEvent(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), r.GetString(4)));
            }
        }

        return list;
    }

    // ---- outbox -------------------------------------------------------------------------------

    /// <summary>Adds a notification; a second one with the same key (alert, event, channel, recipient) is ignored.</summary>
    public bool Enqueue(string key, string alertId, string eventId, string eventType, string channel, string recipient, string payload, DateTimeOffset due, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var cmd = Command("""
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

    /// <summary>Cancels notifications of one event type of an alert that were not sent yet (a reopened alert's pending resolved notice).</summary>
    public int CancelPending(string alertId, string eventType)
    {
        lock (_gate)
        {
            using var cmd = Command("UPDATE outbox SET status = 'cancelled' WHERE alert_id = $a AND event_type = $t AND status = 'pending'");
            cmd.Parameters.AddWithValue("$a", alertId);
            cmd.Parameters.AddWithValue("$t", eventType);
            return cmd.ExecuteNonQuery();
        }
    }

    public List<OutboxEntry> Due(DateTimeOffset now, int limit) =>
        QueryOutbox("SELECT * FROM outbox WHERE status = 'pending' AND due <= $now ORDER BY due, id LIMIT $limit", ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));

    public DateTimeOffset? NextDue()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT MIN(due) FROM outbox WHERE status = 'pending'");
            return cmd.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    public List<OutboxEntry> Outbox(string? alertId = null, string? status = null, int limit = 500) =>
        QueryOutbox(
            "SELECT * FROM outbox WHERE ($a IS NULL OR alert_id = $a) AND ($s IS NULL OR status = $s) ORDER BY id DESC LIMIT $limit",
            ("$a", (object?)alertId ?? DBNull.Value),
            ("$s", (object?)status ?? DBNull.Value),
            ("$limit", limit));

    /// <summary>
    /// Records one delivery attempt and, in the same transaction, the entry's new state: sent (with
    /// the receiver's receipt), retried at <paramref name="retryAt"/>, or failed for good.
    /// </summary>
    public void RecordAttempt(long id, DateTimeOffset at, bool ok, string detail, string? receipt, DateTimeOffset? retryAt)
    {
        InTransaction(() =>
        {
            using (var a = Command("INSERT INTO delivery_attempts (outbox_id, at, ok, detail) VALUES ($id, $at, $ok, $d)"))
            {
                a.Parameters.AddWithValue("$id", id);
                a.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                a.Parameters.AddWithValue("$ok", ok ? 1 : 0);
                a.Parameters.AddWithValue("$d", detail);
                a.ExecuteNonQuery();
            }

            using var u = Command(ok
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

    /// <summary>
    /// Records a deferred attempt (the receiver's rate limit): the entry stays pending, due at
    /// <paramref name="retryAt"/>, and its attempt count is unchanged, so deferrals never make it fail.
    /// </summary>
    public void Defer(long id, DateTimeOffset at, string detail, DateTimeOffset retryAt)
    {
        InTransaction(() =>
        {
            using (var a = Command("INSERT INTO delivery_attempts (outbox_id, at, ok, detail) VALUES ($id, $at, 0, $d)"))
            {
                a.Parameters.AddWithValue("$id", id);
                a.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                a.Parameters.AddWithValue("$d", detail);
                a.ExecuteNonQuery();
            }

            using var u = Command("UPDATE outbox SET due = $due, last_error = $d WHERE id = $id AND status = 'pending'");
            u.Parameters.AddWithValue("$id", id);
            // rounded up to the millisecond: a due time cut down could wake the entry a fraction of a
            // millisecond before the channel's own window reopens, and it would be deferred once more
            u.Parameters.AddWithValue("$due", retryAt.AddTicks(TimeSpan.TicksPerMillisecond - 1).ToUnixTimeMilliseconds());
            u.Parameters.AddWithValue("$d", detail);
            u.ExecuteNonQuery();
            return 0;
        });
    }

    public List<DeliveryAttempt> Attempts(long outboxId)
    {
        var list = new List<DeliveryAttempt>();
        lock (_gate)
        {
            using var cmd = Command("SELECT outbox_id, at, ok, detail FROM delivery_attempts WHERE outbox_id = $id ORDER BY id");
            cmd.Parameters.AddWithValue("$id", outboxId);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new DeliveryAttempt(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetInt64(2) != 0, r.GetString(3)));
            }
        }

        return list;
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private List<Alert> QueryAlerts(string sql, params (string Name, object Value)[] args) =>
        Query(sql, r => JsonSerializer.Deserialize<Alert>(r.GetString(0), AlertRule.Json)!, args);

    private List<OutboxEntry> QueryOutbox(string sql, params (string Name, object Value)[] args) =>
        Query(sql, ReadOutboxEntry, args);

    private static OutboxEntry ReadOutboxEntry(SqliteDataReader r) => new(
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

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, (string Name, object Value)[] args)
    {
        var list = new List<T>();
        lock (_gate)
        {
            using var cmd = Command(sql);
            foreach (var (name, value) in args)
            {
                cmd.Parameters.AddWithValue(name, value);
            }

            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(map(r));
            }
        }

        return list;
    }

    private SqliteCommand Command(string sql)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = _tx;
        return cmd;
    }

    /// <summary>
    /// A command kept for the connection's lifetime, so its statement is parsed once: an evaluation
    /// group writes hundreds of states, and preparing the upsert each time was much of its cost.
    /// </summary>
    private SqliteCommand Reused(ref SqliteCommand? cached, string sql, params string[] parameters)
    {
        if (cached is null)
        {
            cached = _db.CreateCommand();
            cached.CommandText = sql;
            foreach (var name in parameters)
            {
                cached.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
        }

        cached.Transaction = _tx;
        return cached;
    }

    private void Execute(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _saveState?.Dispose();
            _saveSchedule?.Dispose();
            _saveSequences?.Dispose();
            _db.Dispose();
        }
    }
}
