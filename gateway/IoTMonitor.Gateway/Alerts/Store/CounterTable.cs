namespace IoTMonitor.Gateway.Alerts.Store;

/// <summary>Counters that outlive the process (what a stop had to leave unevaluated, unclean stops: only the next run can report them).</summary>
internal sealed class CounterTable
{
    private readonly AlertDatabase _db;

    public CounterTable(AlertDatabase db)
    {
        _db = db;
        db.Execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);");
    }

    public void Add(string name, long delta) => Upsert(name, delta, "value + excluded.value");

    public void Set(string name, long value) => Upsert(name, value, "excluded.value");

    public long Get(string name)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("SELECT value FROM counters WHERE name = $n");
            cmd.Parameters.AddWithValue("$n", name);
            return cmd.ExecuteScalar() is long v ? v : 0;
        }
    }

    private void Upsert(string name, long value, string update)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command($"INSERT INTO counters (name, value) VALUES ($n, $v) ON CONFLICT(name) DO UPDATE SET value = {update}");
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$v", value);
            cmd.ExecuteNonQuery();
        }
    }
}
