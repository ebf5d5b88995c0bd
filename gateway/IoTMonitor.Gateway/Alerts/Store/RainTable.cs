// The rain.total readings the flash-flood watch derives increments from (FlashFlood/RainLedger.cs),
// kept in alerts.db so the sums survive a restart. Written in the group's transaction with the
// alerts they raise; pruned past the longest duration plus a margin for late data.

using IoTMonitor.Gateway.Alerts.FlashFlood;
using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Alerts.Store;

/// <summary>The rain ledger's readings; the table is created when the flash-flood watch first uses it.</summary>
internal sealed class RainTable(AlertDatabase db) : IDisposable
{
    private SqliteCommand? _save;
    private bool _created;

    public List<RainReading> Load(long since)
    {
        lock (db.Gate)
        {
            Create();

            // each boot's newest reading before `since` too: the base of the next increment
            return db.Query(
                """
                SELECT site, device, boot, n, t, total FROM rain_readings WHERE t >= $s
                UNION
                SELECT site, device, boot, MAX(n), t, total FROM rain_readings WHERE t < $s GROUP BY device, boot
                """,
                r => new RainReading(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetDouble(5)),
                ("$s", since));
        }
    }

    public void Save(in RainReading reading)
    {
        lock (db.Gate)
        {
            Create();
            var cmd = db.Reused(ref _save, "INSERT OR IGNORE INTO rain_readings (device, boot, n, site, t, total) VALUES ($d, $b, $n, $s, $t, $v)", "$d", "$b", "$n", "$s", "$t", "$v");
            cmd.Parameters[0].Value = reading.Device;
            cmd.Parameters[1].Value = reading.Boot;
            cmd.Parameters[2].Value = reading.N;
            cmd.Parameters[3].Value = reading.Site;
            cmd.Parameters[4].Value = reading.T;
            cmd.Parameters[5].Value = reading.Total;
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Deletes readings sampled before <paramref name="before"/> except each boot's newest one (the next increment's base).</summary>
    public void Prune(long before)
    {
        lock (db.Gate)
        {
            Create();
            using var cmd = db.Command("""
                DELETE FROM rain_readings WHERE t < $b AND n < (
                  SELECT MAX(n) FROM rain_readings k WHERE k.device = rain_readings.device AND k.boot = rain_readings.boot AND k.t < $b)
                """);
            cmd.Parameters.AddWithValue("$b", before);
            cmd.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        lock (db.Gate)
        {
            _save?.Dispose();
        }
    }

    private void Create()
    {
        if (!_created)
        {
            db.Execute("""
                CREATE TABLE IF NOT EXISTS rain_readings (
                  device TEXT NOT NULL, boot INTEGER NOT NULL, n INTEGER NOT NULL, site TEXT NOT NULL, t INTEGER NOT NULL, total REAL NOT NULL,
                  PRIMARY KEY (device, boot, n));
                CREATE INDEX IF NOT EXISTS rain_readings_t ON rain_readings (t);
                """);
            _created = true;
        }
    }
}
