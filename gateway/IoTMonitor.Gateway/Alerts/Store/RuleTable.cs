using System.Text.Json;

namespace IoTMonitor.Gateway.Alerts.Store;

/// <summary>The rules: seeded from the rule pack, changed or deleted (tombstoned) through the API.</summary>
internal sealed class RuleTable
{
    private readonly AlertDatabase _db;

    public RuleTable(AlertDatabase db)
    {
        _db = db;
        db.Execute("""
            CREATE TABLE IF NOT EXISTS rules (
              id TEXT PRIMARY KEY, json TEXT NOT NULL, origin TEXT NOT NULL, updated INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
            """);
    }

    /// <summary>Seeds or refreshes a rule from the rule pack unless an operator changed or deleted it through the API.</summary>
    public void Seed(AlertRule rule, DateTimeOffset now)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("""
                INSERT INTO rules (id, json, origin, updated) VALUES ($id, $json, 'pack', $now)
                ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated = excluded.updated WHERE rules.origin = 'pack' AND rules.deleted = 0
                """);
            cmd.Parameters.AddWithValue("$id", rule.Id);
            cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(rule, AlertRule.Json));
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }
    }

    public void Put(AlertRule rule, DateTimeOffset now)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("""
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
    public bool Delete(string id, DateTimeOffset now)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("UPDATE rules SET deleted = 1, origin = 'api', updated = $now WHERE id = $id AND deleted = 0");
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery() > 0;
        }
    }

    /// <summary>Changes with every put and delete and every seed that changed a rule (the engine reloads its rules when it does).</summary>
    public long Version() =>
        _db.Query("SELECT COALESCE(MAX(updated), 0), COUNT(*), COALESCE(SUM(deleted), 0) FROM rules", r => (r.GetInt64(0) * 31) + (r.GetInt64(1) * 7) + r.GetInt64(2))[0];

    public List<(AlertRule Rule, string Origin)> Load() =>
        _db.Query("SELECT json, origin FROM rules WHERE deleted = 0 ORDER BY id", r => (JsonSerializer.Deserialize<AlertRule>(r.GetString(0), AlertRule.Json)!, r.GetString(1)));
}
