// The engine's record of evaluated readings per device (EvaluatedSequences), kept across restarts so
// a batch a node resends after the gateway restarted is still recognised (docs/alerts.md,
// Redelivered readings). Written lazily, with the routine rule states it belongs with.

using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertStore
{
    private Microsoft.Data.Sqlite.SqliteCommand? _saveSequences;

    internal Dictionary<string, EvaluatedSequences> LoadEvaluatedSequences()
    {
        var map = new Dictionary<string, EvaluatedSequences>(StringComparer.Ordinal);
        lock (_gate)
        {
            using var cmd = Command("SELECT device, json FROM evaluated_sequences");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                map[r.GetString(0)] = EvaluatedSequences.FromJson(r.GetString(1));
            }
        }

        return map;
    }

    internal void SaveEvaluatedSequences(string device, EvaluatedSequences seen)
    {
        lock (_gate)
        {
            var cmd = Reused(ref _saveSequences, "INSERT INTO evaluated_sequences (device, json) VALUES ($d, $j) ON CONFLICT(device) DO UPDATE SET json = excluded.json", "$d", "$j");
            cmd.Parameters[0].Value = device;
            cmd.Parameters[1].Value = seen.ToJson();
            cmd.ExecuteNonQuery();
            seen.Saved();
        }
    }
}
