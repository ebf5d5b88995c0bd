using System.Text.Json;

namespace IoTMonitor.Gateway.Alerts.Store;

/// <summary>The alerts (at most one not resolved per rule and subject) and their events, the history the API shows.</summary>
internal sealed class AlertTables
{
    private readonly AlertDatabase _db;

    public AlertTables(AlertDatabase db)
    {
        _db = db;
        db.Execute("""
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
            """);
    }

    public void Save(Alert alert)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("""
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

    public Alert? Get(string id) => Alerts("SELECT json FROM alerts WHERE id = $a", ("$a", id)).FirstOrDefault();

    public Alert? FindActive(string ruleId, string subject) =>
        Alerts("SELECT json FROM alerts WHERE rule_id = $a AND subject = $b AND state <> 'resolved'", ("$a", ruleId), ("$b", subject)).FirstOrDefault();

    public Alert? FindResolvedSince(string ruleId, string subject, DateTimeOffset since) =>
        Alerts("SELECT json FROM alerts WHERE rule_id = $a AND subject = $b AND state = 'resolved' ORDER BY detected DESC LIMIT 1", ("$a", ruleId), ("$b", subject))
            .FirstOrDefault(a => a.ResolvedAt >= since);

    public List<Alert> ListActive() => Alerts("SELECT json FROM alerts WHERE state <> 'resolved' ORDER BY detected");

    public List<Alert> List(AlertQuery q)
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
        return Alerts(sql, args.ToArray());
    }

    public void AddEvent(AlertEvent e)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("INSERT INTO alert_events (id, alert_id, type, at, detail) VALUES ($id, $a, $t, $at, $d)");
            cmd.Parameters.AddWithValue("$id", e.Id);
            cmd.Parameters.AddWithValue("$a", e.AlertId);
            cmd.Parameters.AddWithValue("$t", e.Type);
            cmd.Parameters.AddWithValue("$at", e.At.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$d", e.Detail);
            cmd.ExecuteNonQuery();
        }
    }

    public List<AlertEvent> Events(string alertId) =>
        _db.Query(
            "SELECT id, alert_id, type, at, detail FROM alert_events WHERE alert_id = $a ORDER BY at, rowid",
            r => new AlertEvent(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), r.GetString(4)),
            ("$a", alertId));

    private List<Alert> Alerts(string sql, params (string Name, object Value)[] args) =>
        _db.Query(sql, r => JsonSerializer.Deserialize<Alert>(r.GetString(0), AlertRule.Json)!, args);
}
