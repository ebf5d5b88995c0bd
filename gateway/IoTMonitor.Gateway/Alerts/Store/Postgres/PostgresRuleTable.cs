using System.Text.Json;

namespace IoTMonitor.Gateway.Alerts.Store.Postgres;

/// <summary>The rules (table <c>alert_rules</c>): seeded from the rule pack by every replica, changed or deleted (tombstoned) through any replica's API.</summary>
internal sealed class PostgresRuleTable(PostgresAlertDatabase db)
{
    public void Seed(AlertRule rule, DateTimeOffset now) => db.Execute(
        """
        INSERT INTO alert_rules (id, json, origin, updated) VALUES ($1, $2, 'pack', $3)
        ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated = excluded.updated
        WHERE alert_rules.origin = 'pack' AND NOT alert_rules.deleted AND alert_rules.json <> excluded.json
        """,
        rule.Id,
        JsonSerializer.Serialize(rule, AlertRule.Json),
        now.ToUnixTimeMilliseconds());

    public void Put(AlertRule rule, DateTimeOffset now) => db.Execute(
        """
        INSERT INTO alert_rules (id, json, origin, updated, deleted) VALUES ($1, $2, 'api', $3, false)
        ON CONFLICT (id) DO UPDATE SET json = excluded.json, origin = 'api', updated = excluded.updated, deleted = false
        """,
        rule.Id,
        JsonSerializer.Serialize(rule, AlertRule.Json),
        now.ToUnixTimeMilliseconds());

    public bool Delete(string id, DateTimeOffset now) =>
        db.Execute("UPDATE alert_rules SET deleted = true, origin = 'api', updated = $2 WHERE id = $1 AND NOT deleted", id, now.ToUnixTimeMilliseconds()) > 0;

    public List<(AlertRule Rule, string Origin)> Load() =>
        db.Query("SELECT json, origin FROM alert_rules WHERE NOT deleted ORDER BY id", r => (JsonSerializer.Deserialize<AlertRule>(r.GetString(0), AlertRule.Json)!, r.GetString(1)));

    /// <summary>Changes with every seed that changed a rule, every put and every delete (a replica polls it to reload the rules another changed).</summary>
    public long Version() =>
        (long)db.Scalar("SELECT (coalesce(sum(hashtextextended(id || ':' || updated::text || ':' || deleted::text, 0)), 0) % 4611686018427387903)::bigint FROM alert_rules")!;
}
