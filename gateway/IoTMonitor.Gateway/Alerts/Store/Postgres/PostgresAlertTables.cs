using System.Text.Json;
using IoTMonitor.Gateway.State.Leases;

namespace IoTMonitor.Gateway.Alerts.Store.Postgres;

/// <summary>
/// The alerts (at most one not resolved per rule and subject, enforced by a unique index across
/// replicas) and their events. An alert carries its site's partition, so the outbox dispatcher of
/// the partition's owner sends its notices.
/// </summary>
internal sealed class PostgresAlertTables(PostgresAlertDatabase db)
{
    /// <summary>
    /// A new alert is inserted; a stored one is written only over the version it was read at
    /// (<see cref="Alert.Version"/>), else <see cref="AlertChangedException"/>. Under READ COMMITTED
    /// the UPDATE waits for a concurrent writer of the row and then re-checks the version against
    /// what that writer committed, so of two replicas changing one alert the second always fails.
    /// </summary>
    public void Save(Alert alert)
    {
        lock (db.Gate)
        {
            db.Wrote(alert.Site);
            var json = JsonSerializer.Serialize(alert, AlertRule.Json);
            if (alert.Version == 0)
            {
                db.Execute(
                    "INSERT INTO alerts (id, rule_id, subject, site, device, partition, state, detected, json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    alert.Id,
                    alert.RuleId,
                    alert.Subject,
                    alert.Site,
                    alert.Device,
                    PartitionLeases.PartitionOf(alert.Site),
                    alert.State,
                    alert.DetectedAt.ToUnixTimeMilliseconds(),
                    json);
            }
            else if (db.Execute("UPDATE alerts SET state = $2, json = $3, version = version + 1 WHERE id = $1 AND version = $4", alert.Id, alert.State, json, alert.Version) == 0)
            {
                throw new AlertChangedException(alert.Id);
            }
        }
    }

    public Alert? Get(string id) => Alerts("SELECT json, version FROM alerts WHERE id = $1", id).FirstOrDefault();

    public Alert? FindActive(string ruleId, string subject) =>
        Alerts("SELECT json, version FROM alerts WHERE rule_id = $1 AND subject = $2 AND state <> 'resolved'", ruleId, subject).FirstOrDefault();

    public Alert? FindResolvedSince(string ruleId, string subject, DateTimeOffset since) =>
        Alerts("SELECT json, version FROM alerts WHERE rule_id = $1 AND subject = $2 AND state = 'resolved' ORDER BY detected DESC LIMIT 1", ruleId, subject)
            .FirstOrDefault(a => a.ResolvedAt >= since);

    public List<Alert> ListActive() => Alerts("SELECT json, version FROM alerts WHERE state <> 'resolved' ORDER BY detected");

    public List<Alert> List(AlertQuery q)
    {
        var sql = "SELECT json, version FROM alerts WHERE true";
        var args = new List<object?>();
        void Where(string clause, object? value)
        {
            if (value is not null)
            {
                args.Add(value);
                sql += " AND " + clause.Replace("$?", "$" + args.Count, StringComparison.Ordinal);
            }
        }

        Where(q.State == "active" ? "state <> $?" : "state = $?", q.State == "active" ? AlertStates.Resolved : q.State);
        Where("site = $?", q.Site);
        Where("device = $?", q.Device);
        Where("rule_id = $?", q.RuleId);
        Where("detected >= $?", q.From?.ToUnixTimeMilliseconds());
        Where("detected < $?", q.To?.ToUnixTimeMilliseconds());
        args.Add(Math.Clamp(q.Limit, 1, 10_000));
        sql += $" ORDER BY detected DESC LIMIT ${args.Count}";
        return Alerts(sql, [.. args]);
    }

    public void AddEvent(AlertEvent e) =>
        db.Execute("INSERT INTO alert_events (id, alert_id, type, at, detail) VALUES ($1, $2, $3, $4, $5)", e.Id, e.AlertId, e.Type, e.At.ToUnixTimeMilliseconds(), e.Detail);

    public List<AlertEvent> Events(string alertId) =>
        db.Query(
            "SELECT id, alert_id, type, at, detail FROM alert_events WHERE alert_id = $1 ORDER BY at, seq",
            r => new AlertEvent(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), r.GetString(4)),
            alertId);

    private List<Alert> Alerts(string sql, params object?[] args) =>
        db.Query(sql, r => JsonSerializer.Deserialize<Alert>(r.GetString(0), AlertRule.Json)! with { Version = r.GetInt64(1) }, args);
}
