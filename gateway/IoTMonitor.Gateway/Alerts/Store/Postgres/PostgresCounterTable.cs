namespace IoTMonitor.Gateway.Alerts.Store.Postgres;

/// <summary>Counters that outlive the process (table <c>alert_counters</c>), per replica: whether a run stopped cleanly is each gateway's own.</summary>
internal sealed class PostgresCounterTable(PostgresAlertDatabase db, string replica)
{
    public void Add(string name, long delta) =>
        db.Execute("INSERT INTO alert_counters (replica, name, value) VALUES ($1, $2, $3) ON CONFLICT (replica, name) DO UPDATE SET value = alert_counters.value + excluded.value", replica, name, delta);

    public void Set(string name, long value) =>
        db.Execute("INSERT INTO alert_counters (replica, name, value) VALUES ($1, $2, $3) ON CONFLICT (replica, name) DO UPDATE SET value = excluded.value", replica, name, value);

    public long Get(string name) => db.Scalar("SELECT value FROM alert_counters WHERE replica = $1 AND name = $2", replica, name) is long v ? v : 0;
}
