using IoTMonitor.Gateway.Alerts.FlashFlood;

namespace IoTMonitor.Gateway.Alerts.Store.Postgres;

/// <summary>The rain ledger's readings (table <c>alert_rain_readings</c>), written in the group's transaction with the alerts they raise.</summary>
internal sealed class PostgresRainTable(PostgresAlertDatabase db)
{
    public List<RainReading> Load(long since) => db.Query(
        """
        SELECT site, device, boot, n, t, total FROM alert_rain_readings WHERE t >= $1
        UNION
        (SELECT DISTINCT ON (device, boot) site, device, boot, n, t, total FROM alert_rain_readings WHERE t < $1 ORDER BY device, boot, n DESC)
        """,
        r => new RainReading(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetDouble(5)),
        since);

    public void Save(in RainReading reading)
    {
        lock (db.Gate)
        {
            db.Wrote(reading.Site);
            db.Execute(
                "INSERT INTO alert_rain_readings (device, boot, n, site, t, total) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                reading.Device,
                reading.Boot,
                reading.N,
                reading.Site,
                reading.T,
                reading.Total);
        }
    }

    public void Prune(long before) => db.Execute(
        """
        DELETE FROM alert_rain_readings r WHERE t < $1 AND n < (
          SELECT max(n) FROM alert_rain_readings k WHERE k.device = r.device AND k.boot = r.boot AND k.t < $1)
        """,
        before);
}
