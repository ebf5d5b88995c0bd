using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Internal;
using Npgsql;
using NpgsqlTypes;

namespace IoTMonitor.Gateway.Alerts.Store.Postgres;

/// <summary>
/// What the engine keeps between readings, shared by replicas: each rule's state per device (with
/// its compact sample window), each node's schedule, and the record of evaluated (boot, n) per
/// device. Every write notes its site, so the group's commit is fenced by that site's lease.
/// </summary>
internal sealed class PostgresStateTables(PostgresAlertDatabase db)
{
    private long _stateWrites;
    private long _stateBytes;
    private long _scheduleWrites;

    public long StateWrites => Interlocked.Read(ref _stateWrites);

    public long StateBytesWritten => Interlocked.Read(ref _stateBytes);

    public long ScheduleWrites => Interlocked.Read(ref _scheduleWrites);

    public Dictionary<(string Rule, string Device), (string Site, RuleState State)> LoadStates()
    {
        var map = new Dictionary<(string, string), (string, RuleState)>();
        foreach (var (rule, device, site, state) in db.Query("SELECT rule_id, device, site, json, sample_window FROM alert_rule_state", r => (r.GetString(0), r.GetString(1), r.GetString(2), ReadState(r, 3))))
        {
            map[(rule, device)] = (site, state);
        }

        return map;
    }

    public (string Site, RuleState State)? LoadState(string ruleId, string device)
    {
        var rows = db.Query("SELECT site, json, sample_window FROM alert_rule_state WHERE rule_id = $1 AND device = $2", r => (r.GetString(0), ReadState(r, 1)), ruleId, device);
        return rows.Count == 0 ? null : rows[0];
    }

    public void SaveState(string ruleId, string device, string site, RuleState state)
    {
        var json = JsonSerializer.Serialize(state, AlertRule.Json);
        var window = state.Window.Count > 0 ? SampleWindowCodec.Encode(state.Window) : null;
        lock (db.Gate)
        {
            db.Wrote(site);
            db.Execute(
                """
                INSERT INTO alert_rule_state (rule_id, device, site, json, sample_window) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (rule_id, device) DO UPDATE SET site = excluded.site, json = excluded.json, sample_window = excluded.sample_window
                """,
                ruleId,
                device,
                site,
                json,
                new NpgsqlParameter { Value = (object?)window ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
            state.Saved();
        }

        Interlocked.Increment(ref _stateWrites);
        Interlocked.Add(ref _stateBytes, System.Text.Encoding.UTF8.GetByteCount(json) + (window?.Length ?? 0));
    }

    public Dictionary<string, NodeSchedule> LoadSchedules()
    {
        var map = new Dictionary<string, NodeSchedule>(StringComparer.Ordinal);
        foreach (var (device, schedule) in db.Query("SELECT device, json FROM alert_schedules", r => (r.GetString(0), ReadSchedule(r.GetString(1)))))
        {
            map[device] = schedule;
        }

        return map;
    }

    public NodeSchedule? LoadSchedule(string device) =>
        db.Scalar("SELECT json FROM alert_schedules WHERE device = $1", device) is string json ? ReadSchedule(json) : null;

    public void SaveSchedule(NodeSchedule schedule)
    {
        lock (db.Gate)
        {
            db.Wrote(schedule.Site);
            db.Execute(
                "INSERT INTO alert_schedules (device, site, json) VALUES ($1, $2, $3) ON CONFLICT (device) DO UPDATE SET site = excluded.site, json = excluded.json",
                schedule.Device,
                schedule.Site,
                JsonSerializer.Serialize(schedule, AlertRule.Json));
            schedule.Saved();
        }

        Interlocked.Increment(ref _scheduleWrites);
    }

    public Dictionary<string, EvaluatedSequences> LoadEvaluatedSequences()
    {
        var map = new Dictionary<string, EvaluatedSequences>(StringComparer.Ordinal);
        foreach (var (device, seen) in db.Query("SELECT device, json FROM alert_evaluated_sequences", r => (r.GetString(0), EvaluatedSequences.FromJson(r.GetString(1)))))
        {
            map[device] = seen;
        }

        return map;
    }

    public void SaveEvaluatedSequences(string site, string device, EvaluatedSequences seen)
    {
        lock (db.Gate)
        {
            db.Wrote(site);
            db.Execute(
                "INSERT INTO alert_evaluated_sequences (device, site, json) VALUES ($1, $2, $3) ON CONFLICT (device) DO UPDATE SET site = excluded.site, json = excluded.json",
                device,
                site,
                seen.ToJson());
            seen.Saved();
        }
    }

    private static RuleState ReadState(NpgsqlDataReader r, int json)
    {
        var state = JsonSerializer.Deserialize<RuleState>(r.GetString(json), AlertRule.Json)!;
        if (!r.IsDBNull(json + 1))
        {
            // a window of a format this gateway does not know (written by a newer one) starts empty and refills
            state.Window = SampleWindowCodec.Decode((byte[])r.GetValue(json + 1)) ?? [];
        }

        state.Saved();
        return state;
    }

    private static NodeSchedule ReadSchedule(string json)
    {
        var schedule = JsonSerializer.Deserialize<NodeSchedule>(json, AlertRule.Json)!;
        schedule.Saved();
        return schedule;
    }
}
