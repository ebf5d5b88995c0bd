using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Internal;
using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Alerts.Store;

/// <summary>
/// What the engine keeps between readings: each rule's state per device (with its compact sample
/// window), each node's schedule, and the record of evaluated (boot, n) per device. Loaded at start,
/// written by the engine's state writes.
/// </summary>
internal sealed class StateTables : IDisposable
{
    private readonly AlertDatabase _db;
    private SqliteCommand? _saveState;
    private SqliteCommand? _saveSchedule;
    private SqliteCommand? _saveSequences;
    private long _stateWrites;
    private long _stateBytes;
    private long _scheduleWrites;

    public StateTables(AlertDatabase db)
    {
        _db = db;
        db.Execute("""
            CREATE TABLE IF NOT EXISTS rule_state (
              rule_id TEXT NOT NULL, device TEXT NOT NULL, site TEXT NOT NULL, json TEXT NOT NULL, window BLOB, PRIMARY KEY (rule_id, device));
            CREATE TABLE IF NOT EXISTS schedules (device TEXT PRIMARY KEY, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS evaluated_sequences (device TEXT PRIMARY KEY, json TEXT NOT NULL);
            """);
        AddWindowColumn();
    }

    public long StateWrites => Interlocked.Read(ref _stateWrites);

    public long StateBytesWritten => Interlocked.Read(ref _stateBytes);

    public long ScheduleWrites => Interlocked.Read(ref _scheduleWrites);

    // ---- rule states --------------------------------------------------------------------------

    public Dictionary<(string Rule, string Device), (string Site, RuleState State)> LoadStates()
    {
        var map = new Dictionary<(string, string), (string, RuleState)>();
        lock (_db.Gate)
        {
            using var cmd = _db.Command("SELECT rule_id, device, site, json, window FROM rule_state");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                map[(r.GetString(0), r.GetString(1))] = (r.GetString(2), ReadState(r, 3));
            }
        }

        return map;
    }

    public (string Site, RuleState State)? LoadState(string ruleId, string device)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("SELECT site, json, window FROM rule_state WHERE rule_id = $r AND device = $d");
            cmd.Parameters.AddWithValue("$r", ruleId);
            cmd.Parameters.AddWithValue("$d", device);
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetString(0), ReadState(r, 1)) : null;
        }
    }

    public void SaveState(string ruleId, string device, string site, RuleState state)
    {
        lock (_db.Gate)
        {
            var cmd = _db.Reused(
                ref _saveState,
                "INSERT INTO rule_state (rule_id, device, site, json, window) VALUES ($r, $d, $s, $j, $w) ON CONFLICT(rule_id, device) DO UPDATE SET json = excluded.json, site = excluded.site, window = excluded.window",
                "$r", "$d", "$s", "$j", "$w");
            var json = JsonSerializer.Serialize(state, AlertRule.Json);
            var window = state.Window.Count > 0 ? SampleWindowCodec.Encode(state.Window) : null;
            cmd.Parameters[0].Value = ruleId;
            cmd.Parameters[1].Value = device;
            cmd.Parameters[2].Value = site;
            cmd.Parameters[3].Value = json;
            cmd.Parameters[4].Value = (object?)window ?? DBNull.Value;
            cmd.ExecuteNonQuery();
            state.Saved();
            Interlocked.Increment(ref _stateWrites);
            Interlocked.Add(ref _stateBytes, System.Text.Encoding.UTF8.GetByteCount(json) + (window?.Length ?? 0));
        }
    }

    // ---- node schedules -----------------------------------------------------------------------

    public Dictionary<string, NodeSchedule> LoadSchedules()
    {
        var map = new Dictionary<string, NodeSchedule>(StringComparer.Ordinal);
        lock (_db.Gate)
        {
            using var cmd = _db.Command("SELECT device, json FROM schedules");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                map[r.GetString(0)] = ReadSchedule(r.GetString(1));
            }
        }

        return map;
    }

    public NodeSchedule? LoadSchedule(string device)
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("SELECT json FROM schedules WHERE device = $d");
            cmd.Parameters.AddWithValue("$d", device);
            return cmd.ExecuteScalar() is string json ? ReadSchedule(json) : null;
        }
    }

    public void SaveSchedule(NodeSchedule schedule)
    {
        lock (_db.Gate)
        {
            var cmd = _db.Reused(ref _saveSchedule, "INSERT INTO schedules (device, json) VALUES ($d, $j) ON CONFLICT(device) DO UPDATE SET json = excluded.json", "$d", "$j");
            cmd.Parameters[0].Value = schedule.Device;
            cmd.Parameters[1].Value = JsonSerializer.Serialize(schedule, AlertRule.Json);
            cmd.ExecuteNonQuery();
            schedule.Saved();
            Interlocked.Increment(ref _scheduleWrites);
        }
    }

    // ---- evaluated sequences ------------------------------------------------------------------

    public Dictionary<string, EvaluatedSequences> LoadEvaluatedSequences()
    {
        var map = new Dictionary<string, EvaluatedSequences>(StringComparer.Ordinal);
        lock (_db.Gate)
        {
            using var cmd = _db.Command("SELECT device, json FROM evaluated_sequences");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                map[r.GetString(0)] = EvaluatedSequences.FromJson(r.GetString(1));
            }
        }

        return map;
    }

    public void SaveEvaluatedSequences(string device, EvaluatedSequences seen)
    {
        lock (_db.Gate)
        {
            var cmd = _db.Reused(ref _saveSequences, "INSERT INTO evaluated_sequences (device, json) VALUES ($d, $j) ON CONFLICT(device) DO UPDATE SET json = excluded.json", "$d", "$j");
            cmd.Parameters[0].Value = device;
            cmd.Parameters[1].Value = seen.ToJson();
            cmd.ExecuteNonQuery();
            seen.Saved();
        }
    }

    public void Dispose()
    {
        lock (_db.Gate)
        {
            _saveState?.Dispose();
            _saveSchedule?.Dispose();
            _saveSequences?.Dispose();
        }
    }

    /// <summary>
    /// A file written before the compact sample windows has no <c>window</c> column; its states keep
    /// their window inside the JSON and are read from there until they are next written.
    /// </summary>
    private void AddWindowColumn()
    {
        lock (_db.Gate)
        {
            using var cmd = _db.Command("SELECT COUNT(*) FROM pragma_table_info('rule_state') WHERE name = 'window'");
            if ((long)cmd.ExecuteScalar()! == 0)
            {
                _db.Execute("ALTER TABLE rule_state ADD COLUMN window BLOB");
            }
        }
    }

    /// <summary>The state in columns <paramref name="json"/> and <paramref name="json"/> + 1 (its window).</summary>
    private static RuleState ReadState(SqliteDataReader r, int json)
    {
        var text = r.GetString(json);
        var state = JsonSerializer.Deserialize<RuleState>(text, AlertRule.Json)!;
        if (!r.IsDBNull(json + 1))
        {
            // a window of a format this gateway does not know (written by a newer one) starts empty and refills
            state.Window = SampleWindowCodec.Decode((byte[])r.GetValue(json + 1)) ?? [];
        }
        else if (text.Contains("\"window\"", StringComparison.Ordinal))
        {
            state.Window = LegacyWindow(text);
        }

        state.Saved(); // what was just read is what is stored
        return state;
    }

    /// <summary>A state written before the compact form keeps its window in the JSON: <c>"window":[[t,v],…]</c>.</summary>
    private static List<double[]> LegacyWindow(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("window", out var samples) || samples.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var window = new List<double[]>(samples.GetArrayLength());
        foreach (var s in samples.EnumerateArray())
        {
            window.Add([s[0].GetDouble(), s[1].GetDouble()]);
        }

        return window;
    }

    private static NodeSchedule ReadSchedule(string json)
    {
        var schedule = JsonSerializer.Deserialize<NodeSchedule>(json, AlertRule.Json)!;
        schedule.Saved();
        return schedule;
    }
}
