using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Gateway.Model;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

/// <summary>
/// Sample windows (battery 48 h, rate) are stored compactly beside the state's JSON: lossless, read
/// from the old JSON form once, kept across a restart, and much smaller per lazy write.
/// </summary>
public sealed class SampleWindowTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly long S0 = T0.ToUnixTimeSeconds();
    private const int BatteryWindowSeconds = 48 * 3600;
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-alert-window-").FullName;

    private static AlertRule Battery() => new()
    {
        Id = "battery.low",
        Name = "Battery low",
        Kind = RuleKind.Battery,
        Below = 3.4,
        Hysteresis = 0.05,
        ExhaustionHours = 24,
        Severity = Severity.Warning,
        Source = "docs/protocol.md §4",
        Action = "Replace the battery",
    };

    /// <summary>A node's battery every ~11 min (256 samples in 48 h), in millivolts as nodes report it, draining and jittering.</summary>
    private static List<(long T, double V)> Discharge(int samples, int device = 0)
    {
        var list = new List<(long, double)>();
        for (var i = 0; i < samples; i++)
        {
            var mv = 4100 - (i * 2) - (device % 7) + ((i * 7919) % 5);
            list.Add((S0 + (i * 675) + (i % 3), mv / 1000.0));
        }

        return list;
    }

    /// <summary>How a state was written before the compact form: its window inside the JSON.</summary>
    private static string LegacyJson(RuleState state)
    {
        var node = JsonSerializer.SerializeToNode(state, AlertRule.Json)!.AsObject();
        node["window"] = JsonSerializer.SerializeToNode(state.Window, AlertRule.Json);
        return node.ToJsonString(AlertRule.Json);
    }

    public static TheoryData<string, double[][]> Windows() => new()
    {
        { "empty", [] },
        { "millivolts", [[S0, 3.912], [S0 + 600, 3.911], [S0 + 1200, 3.913]] },
        { "whole values, times going back", [[S0, 4], [S0 - 30, -2], [S0 + 90000, 1e12]] },
        { "raw doubles", [[S0, 1.0 / 3], [S0 + 1, Math.PI], [S0 + 2, -0.0], [S0 + 3, 3.9120000000000004]] },
        { "fractional times", [[S0 + 0.5, 3.9], [S0 + 1.25, 3.8]] },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void The_compact_form_gives_back_every_sample_bit_for_bit(string kind, double[][] samples)
    {
        var window = samples.Select(s => (double[])s.Clone()).ToList();
        var blob = SampleWindowCodec.Encode(window);
        Assert.Equal(SampleWindowCodec.Version, blob[0]);
        var back = SampleWindowCodec.Decode(blob)!;
        Assert.Equal(window.Count, back.Count);
        for (var i = 0; i < window.Count; i++)
        {
            Assert.True(
                BitConverter.DoubleToInt64Bits(window[i][0]) == BitConverter.DoubleToInt64Bits(back[i][0])
                && BitConverter.DoubleToInt64Bits(window[i][1]) == BitConverter.DoubleToInt64Bits(back[i][1]),
                $"{kind}: sample {i} [{window[i][0]}, {window[i][1]}] came back as [{back[i][0]}, {back[i][1]}]");
        }
    }

    [Fact]
    public void A_window_of_an_unknown_format_version_is_not_misread()
    {
        var blob = SampleWindowCodec.Encode([[S0, 3.9]]);
        blob[0] = SampleWindowCodec.Version + 1;
        Assert.Null(SampleWindowCodec.Decode(blob));
    }

    [Fact]
    public void A_state_in_the_old_json_form_is_read_once_then_written_compactly_and_decides_as_if_never_stored()
    {
        var rule = Battery();
        var readings = Discharge(400);

        // reference: one state that never leaves memory
        var reference = new RuleState();
        var expected = readings.Select(r => RuleEvaluator.Evaluate(rule, reference, r.T, r.V, 0).Transition).ToList();
        Assert.Contains(Transition.Raise, expected); // the sequence does decide something

        // the first 200 readings, stored by the old gateway: a rule_state table without the window column
        var state = new RuleState();
        var actual = readings.Take(200).Select(r => RuleEvaluator.Evaluate(rule, state, r.T, r.V, 0).Transition).ToList();
        var path = Path.Combine(_dir, "old.db");
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE rule_state (rule_id TEXT NOT NULL, device TEXT NOT NULL, site TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (rule_id, device));
                INSERT INTO rule_state VALUES ('battery.low', 'd1', 's1', $json);
                """;
            cmd.Parameters.AddWithValue("$json", LegacyJson(state));
            cmd.ExecuteNonQuery();
        }

        using (var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(path))
        {
            var loaded = store.LoadState("battery.low", "d1")!.Value.State;
            Assert.Equal(state.Window.Count, loaded.Window.Count);
            actual.AddRange(readings.Skip(200).Take(100).Select(r => RuleEvaluator.Evaluate(rule, loaded, r.T, r.V, 0).Transition));
            store.SaveState("battery.low", "d1", "s1", loaded);
        }

        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT json, window FROM rule_state";
            using var r = cmd.ExecuteReader();
            Assert.True(r.Read());
            Assert.DoesNotContain("window", r.GetString(0), StringComparison.Ordinal);
            Assert.False(r.IsDBNull(1), "the window is written in the compact form");
        }

        using (var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(path))
        {
            var loaded = store.LoadState("battery.low", "d1")!.Value.State;
            actual.AddRange(readings.Skip(300).Select(r => RuleEvaluator.Evaluate(rule, loaded, r.T, r.V, 0).Transition));
            Assert.Equal(reference.Window.Select(s => (s[0], s[1])), loaded.Window.Select(s => (s[0], s[1])));
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_restart_keeps_the_battery_window_and_the_engine_decides_as_if_it_had_not_restarted()
    {
        // the gateway clock stays at the end of the discharge: no reading is late, and both runs detect at the same time
        var readings = Discharge(400);
        var options = new AlertsOptions { Influx = { Enabled = false }, Mqtt = { Enabled = true }, TickSeconds = 3600, LiveWindowSeconds = 10 * 24 * 3600 };
        var clock = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(readings[^1].T));

        async Task<List<string>> Run(string name, int restartAt)
        {
            using var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(Path.Combine(_dir, name));
            store.SeedRule(Battery(), T0);
            var engine = new AlertEngine(options, store, TestChannels.Of(options), clock, NullLogger.Instance);
            engine.Start();
            for (var i = 0; i < readings.Count; i++)
            {
                if (i == restartAt)
                {
                    await engine.DisposeAsync(); // a graceful stop: drains, then writes the window changed since the last lazy write
                    Assert.Equal(RuleEvaluator.MaxWindowSamples, store.LoadState("battery.low", "d1")!.Value.State.Window.Count);
                    engine = new AlertEngine(options, store, TestChannels.Of(options), clock, NullLogger.Instance);
                    engine.Start();
                }

                var result = new Model.DecodeResult { Site = "s1", Device = "d1", Battery = readings[i].V, HealthTime = readings[i].T };
                engine.OnReadingsDurable(this, new Model.ReadingsDurableEventArgs(result, clock.GetUtcNow()));
            }

            await engine.DisposeAsync();
            return store.ListAlerts(new AlertQuery(Limit: 100))
                .Select(a => $"{a.RuleId} {a.State} since {a.Since:O} value {a.Value} worst {a.Worst} trend {a.Trend}")
                .ToList();
        }

        var straight = await Run("straight.db", restartAt: -1);
        var restarted = await Run("restarted.db", restartAt: 300);
        Assert.NotEmpty(straight);
        Assert.Equal(straight, restarted);
    }

    [Fact]
    public void A_lazy_write_of_1000_full_battery_windows_costs_a_fraction_of_the_old_json()
    {
        const int devices = 1_000;
        var states = new List<RuleState>();
        for (var d = 0; d < devices; d++)
        {
            var state = new RuleState();
            foreach (var (t, v) in Discharge(RuleEvaluator.MaxWindowSamples + 10, d))
            {
                RuleEvaluator.Evaluate(Battery(), state, t, v, 0);
            }

            states.Add(state);
        }

        Assert.All(states, s => Assert.Equal(RuleEvaluator.MaxWindowSamples, s.Window.Count));
        var next = S0 + ((RuleEvaluator.MaxWindowSamples + 10) * 675);

        // now: through the store, as the engine's lazy write does (one transaction)
        var path = Path.Combine(_dir, "compact.db");
        long compactPayload, compactWal;
        using (var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(path))
        {
            store.InTransaction(() => Save(store, states));
            foreach (var s in states)
            {
                RuleEvaluator.Slide(s, next, 3.501, BatteryWindowSeconds);
            }

            Checkpoint(path);
            var before = store.StateBytesWritten;
            store.InTransaction(() => Save(store, states));
            compactPayload = store.StateBytesWritten - before;
            compactWal = new FileInfo(path + "-wal").Length;
        }

        // before: the same states and change, each written as one JSON text (the old SaveState)
        var legacyPath = Path.Combine(_dir, "legacy.db");
        long legacyPayload = 0, legacyWal;
        using (new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(legacyPath))
        {
            // the schema only
        }

        using (var db = new SqliteConnection($"Data Source={legacyPath};Pooling=False"))
        {
            db.Open();
            Exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            WriteLegacy(db, states, null);
            foreach (var s in states)
            {
                RuleEvaluator.Slide(s, next + 675, 3.5, BatteryWindowSeconds);
            }

            Checkpoint(legacyPath);
            WriteLegacy(db, states, bytes => legacyPayload += bytes);
            legacyWal = new FileInfo(legacyPath + "-wal").Length;
        }

        var figures = $"lazy write of {devices} full battery windows ({RuleEvaluator.MaxWindowSamples} samples): "
            + $"old JSON {legacyPayload:N0} B of state ({legacyWal:N0} B of SQLite WAL), compact {compactPayload:N0} B of state ({compactWal:N0} B of SQLite WAL)";
        output.WriteLine(figures);
        Assert.True(compactPayload * 4 < legacyPayload, figures);
        Assert.True(compactWal * 2 < legacyWal, figures);
    }

    private static int Save(AlertStore store, List<RuleState> states)
    {
        for (var d = 0; d < states.Count; d++)
        {
            store.SaveState("battery.low", $"node-{d:D4}", "s1", states[d]);
        }

        return 0;
    }

    private static void WriteLegacy(SqliteConnection db, List<RuleState> states, Action<long>? bytes)
    {
        using var tx = db.BeginTransaction();
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO rule_state (rule_id, device, site, json) VALUES ('battery.low', $d, 's1', $j) ON CONFLICT(rule_id, device) DO UPDATE SET json = excluded.json, site = excluded.site";
        var device = cmd.Parameters.Add("$d", SqliteType.Text);
        var json = cmd.Parameters.Add("$j", SqliteType.Text);
        for (var d = 0; d < states.Count; d++)
        {
            var text = LegacyJson(states[d]);
            device.Value = $"node-{d:D4}";
            json.Value = text;
            cmd.ExecuteNonQuery();
            bytes?.Invoke(System.Text.Encoding.UTF8.GetByteCount(text));
        }

        tx.Commit();
    }

    /// <summary>Moves the WAL into the database and empties it: what the next transaction writes is then the WAL's whole length.</summary>
    private static void Checkpoint(string path)
    {
        using var db = new SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(0, r.GetInt64(0)); // not busy: the checkpoint completed
        r.Close();
        Assert.Equal(0, new FileInfo(path + "-wal").Length);
    }

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
