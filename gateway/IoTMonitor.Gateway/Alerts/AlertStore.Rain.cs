// The rain.total readings the flash-flood watch derives increments from (FlashFlood/RainLedger.cs),
// kept in alerts.db so the sums survive a restart. Written in the group's transaction with the
// alerts they raise; pruned past the longest duration plus a margin for late data.

using IoTMonitor.Gateway.Alerts.FlashFlood;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertStore
{
    private Microsoft.Data.Sqlite.SqliteCommand? _saveRain;
    private bool _rainTable;

    private void EnsureRainTable()
    {
        if (!_rainTable)
        {
            Execute("""
                CREATE TABLE IF NOT EXISTS rain_readings (
                  device TEXT NOT NULL, boot INTEGER NOT NULL, n INTEGER NOT NULL, site TEXT NOT NULL, t INTEGER NOT NULL, total REAL NOT NULL,
                  PRIMARY KEY (device, boot, n));
                CREATE INDEX IF NOT EXISTS rain_readings_t ON rain_readings (t);
                """);
            _rainTable = true;
        }
    }

    internal List<RainReading> LoadRain(long since)
    {
        var list = new List<RainReading>();
        lock (_gate)
        {
            EnsureRainTable();

            // each boot's newest reading before `since` too: the base of the next increment
            using var cmd = Command("""
                SELECT site, device, boot, n, t, total FROM rain_readings WHERE t >= $s
                UNION
                SELECT site, device, boot, MAX(n), t, total FROM rain_readings WHERE t < $s GROUP BY device, boot
                """);
            cmd.Parameters.AddWithValue("$s", since);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new RainReading(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetDouble(5)));
            }
        }

        return list;
    }

    internal void SaveRain(in RainReading reading)
    {
        lock (_gate)
        {
            EnsureRainTable();
            var cmd = Reused(ref _saveRain, "INSERT OR IGNORE INTO rain_readings (device, boot, n, site, t, total) VALUES ($d, $b, $n, $s, $t, $v)", "$d", "$b", "$n", "$s", "$t", "$v");
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
    internal void PruneRain(long before)
    {
        lock (_gate)
        {
            EnsureRainTable();
            using var cmd = Command("""
                DELETE FROM rain_readings WHERE t < $b AND n < (
                  SELECT MAX(n) FROM rain_readings k WHERE k.device = rain_readings.device AND k.boot = rain_readings.boot AND k.t < $b)
                """);
            cmd.Parameters.AddWithValue("$b", before);
            cmd.ExecuteNonQuery();
        }
    }
}
