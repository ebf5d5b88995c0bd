using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;
using Xunit.Abstractions;

namespace IoTMonitor.Gateway.Tests.Cluster;

/// <summary>
/// Issue 21's fault tests on the whole cluster (<see cref="ClusterFaultRig"/>: 3 RabbitMQ nodes, 2 gateway
/// replicas, PostgreSQL, a webhook receiver): during a burst from a fleet that re-sends like real nodes, every
/// third device crosses a threshold rule and a duration rule, and an operator sends each of four devices a
/// config and a command through one replica's API; mid-burst a broker node is killed, a replica is killed,
/// PostgreSQL is restarted (fast shutdown, or kill -9 of the postmaster) — each alone and all in one run. Then:
/// every acknowledged reading is stored exactly once, each alert was raised once with the sample time of its
/// first exceedance and its notice received once, and every config and command reached its device and was
/// answered. The figures go to the test output (docs/operations.md, "Cluster faults").
/// </summary>
[Collection("influx")]
[Trait("Category", "ClusterFaults")] // scripts/test-cluster.sh runs these; scripts/test.sh leaves them out (CI budget)
public sealed class ClusterFaults_Tests(InfluxDbFixture influx, RabbitMqClusterFixture cluster, ITestOutputHelper output)
{
    private const int Devices = 12;
    private const int Messages = 150; // per device: 1,800 messages, 7,200 readings
    private const int Total = Devices * Messages;

    /// <summary>How long PostgreSQL stays down: longer than the alert leases (4 s), so they run out on every replica.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(6);

    [Flags]
    private enum Faults
    {
        None = 0,
        BrokerNode = 1,
        Replica = 2,
        PostgresStop = 4,
        PostgresKill = 8,
    }

    [Fact]
    public Task PostgreSQL_restarted_mid_burst_with_a_fast_shutdown_loses_nothing_and_alerts_once() => RunAsync(Faults.PostgresStop);

    [Fact]
    public Task PostgreSQL_killed_mid_burst_and_started_again_loses_nothing_and_alerts_once() => RunAsync(Faults.PostgresKill);

    [Fact]
    public Task A_broker_node_killed_mid_burst_keeps_alerts_once_and_delivers_configs_and_commands() => RunAsync(Faults.BrokerNode);

    [Fact]
    public Task A_gateway_replica_killed_mid_burst_keeps_alerts_once_and_delivers_configs_and_commands() => RunAsync(Faults.Replica);

    [Fact]
    public Task A_broker_node_a_replica_and_PostgreSQL_lost_in_one_burst_lose_nothing_and_alert_once() => RunAsync(Faults.BrokerNode | Faults.Replica | Faults.PostgresKill);

    private async Task RunAsync(Faults faults)
    {
        await using var rig = await ClusterFaultRig.StartAsync(cluster, output.WriteLine, influx.Server, Devices);
        var fleet = rig.Fleet;
        var t0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (Messages * ClusterFaultRig.SampleStep) - 5;
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var marks = new Dictionary<string, long>();
        var background = new List<Task>();
        var sent = new System.Collections.Concurrent.ConcurrentDictionary<string, (string Command, long Rev)>();
        var targets = fleet.Devices.Take(4).Select(d => d.Id).ToArray();

        // the faults at fixed points of the burst; the operator acts before PostgreSQL goes away and its commands are answered across it
        var plan = new List<(int At, string Name, Action Act)>
        {
            (Total * 30 / 100, "operator", () => background.Add(Task.Run(() => SendDownlinkAsync(rig, targets, sent, events)))),
        };
        if (faults.HasFlag(Faults.BrokerNode))
        {
            plan.Add((Total * 25 / 100, "broker node killed", () => fleet.Cluster.Nodes[0].Kill()));
        }

        if (faults.HasFlag(Faults.Replica))
        {
            plan.Add((Total * 40 / 100, "replica killed", () => fleet.Replicas[0].Kill())); // SIGKILL of the replica that started first: it holds every partition and lease
        }

        if (faults.HasFlag(Faults.PostgresStop) || faults.HasFlag(Faults.PostgresKill))
        {
            plan.Add((Total * 45 / 100, faults.HasFlag(Faults.PostgresKill) ? "postgres killed" : "postgres stopped", RestartPostgres));
        }

        void RestartPostgres()
        {
            if (faults.HasFlag(Faults.PostgresKill))
            {
                rig.Postgres.Kill(); // SIGKILL of the postmaster and its backends: crash recovery at the next start
            }
            else
            {
                rig.Postgres.Stop(); // SIGINT: fast shutdown, every session ended
            }

            background.Add(Task.Run(async () =>
            {
                await Task.Delay(Outage);
                Mark("postgres starting");
                await rig.Postgres.StartAsync(TimeSpan.FromSeconds(60));
                Mark("postgres up");
            }));
        }

        void Mark(string name)
        {
            lock (marks)
            {
                marks[name] = fleet.Now;
            }
        }

        plan.Sort((a, b) => a.At.CompareTo(b.At));
        var next = 0;
        var start = fleet.Now;
        await rig.RunFleetAsync(Messages, t0, acked =>
        {
            while (next < plan.Count && acked >= plan[next].At)
            {
                Mark(plan[next].Name);
                plan[next++].Act();
            }

            return Task.CompletedTask;
        }, device => sent.TryGetValue(device, out var s) ? rig.DownlinkOf(device).HasCommand(s.Command) && rig.DownlinkOf(device).HasRev(s.Rev) : !targets.Contains(device),
            TimeSpan.FromMinutes(5));
        var published = fleet.Now;
        await Task.WhenAll(background);
        Assert.Equal(plan.Count, next);
        Assert.Equal(targets.Length, sent.Count);
        if (faults.HasFlag(Faults.Replica))
        {
            // its service manager starts it again on its data dir: what it acknowledged and had not yet written to
            // InfluxDB is only in its WAL until then (ClusterBroker_Tests once counted 7,176 of 7,200 without this)
            Mark("replica started again");
            await fleet.Replicas[0].StartAsync();
        }

        // every acknowledged reading stored exactly once
        const int readings = Total * 4;
        Assert.Equal(readings, await GatewayHarness.WaitForCountAsync(influx.Server, fleet.Database, readings, TimeSpan.FromSeconds(120)));
        var stored = fleet.Now;

        // each alert raised once, from its first exceedance, and its notice received once
        var expected = Enumerable.Range(0, Devices).Where(ClusterFaultRig.Alerting)
            .SelectMany(i => new[] { ("level.high", fleet.Devices[i].Id), ("temp.sustained", fleet.Devices[i].Id) }).Order().ToArray();
        var alive = fleet.Replicas.Count(r => r.ProcessId is not null);
        List<(string Rule, string Device, string Id)> alerts = [];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            alerts = await rig.AlertsAsync();
            if (alerts.Count >= expected.Length && rig.Hook.Calls.Count(c => c.Type == AlertEventTypes.Opened) >= expected.Length)
            {
                break;
            }

            await Task.Delay(200);
        }

        var notified = fleet.Now;
        await Task.Delay(2000); // a second notice or alert would come within the dispatcher's next rounds
        alerts = await rig.AlertsAsync();
        var calls = rig.Hook.Calls;
        var report = $"alerts [{string.Join("; ", alerts.Select(a => $"{a.Rule}/{a.Device}"))}], webhook calls [{string.Join("; ", calls.Select(c => $"{c.Type}:{c.AlertId}"))}]\n{await rig.DiagnosticsAsync()}\n{Logs(rig)}";
        Assert.True(expected.SequenceEqual(alerts.Select(a => (a.Rule, a.Device)).Order()), report);
        foreach (var alert in alerts)
        {
            var opened = calls.Where(c => c.AlertId == alert.Id && c.Type == AlertEventTypes.Opened).ToList();
            Assert.True(opened.Count == 1, $"{alert.Rule}/{alert.Device}: {opened.Count} 'opened' notices; {report}");
            Assert.True(opened[0].Signed, "the webhook signature is wrong");
        }

        Assert.True(calls.All(c => alerts.Any(a => a.Id == c.AlertId)), report);
        for (var r = 0; r < fleet.Replicas.Count; r++)
        {
            if (fleet.Replicas[r].ProcessId is not null)
            {
                // an evaluation dropped (not only delayed) while PostgreSQL was away is an alert that may never come
                Assert.True(await rig.MetricAsync(r, "iotmon_alert_evaluation_failures_total") == 0, $"replica {r} dropped evaluations; {report}");
            }
        }

        var firstHigh = DateTimeOffset.FromUnixTimeSeconds(t0 + (Messages / 2 * ClusterFaultRig.SampleStep));
        foreach (var (rule, device, since) in await SinceAsync(rig))
        {
            // a reading lost to alerting (dropped while PostgreSQL was away, or acknowledged by the killed replica
            // before its evaluation committed) would move the start of the alert, and of the duration, later
            Assert.True(since == firstHigh, $"{rule}/{device} since {since:O}, first exceedance {firstHigh:O}\n{Logs(rig)}");
        }

        // every config and command reached its device and was answered, as the shared store reports it through a surviving replica
        var survivor = fleet.Replicas.Select((r, i) => (r, i)).Last(x => x.r.ProcessId is not null).i;
        using var api = rig.Api(survivor);
        foreach (var device in targets)
        {
            var (command, rev) = sent[device];
            Assert.True(rig.DownlinkOf(device).HasCommand(command) && rig.DownlinkOf(device).HasRev(rev), $"{device}: {rig.DownlinkOf(device)}");
            await WaitUntilAsync(async () =>
                (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{device}/commands/{command}")).GetProperty("state").GetString() == "acked"
                && (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{device}/config")).GetProperty("state").GetString() == "applied",
                $"{device}: command {command} acked and config rev {rev} applied\n{Logs(rig)}");
        }

        var downlinked = fleet.Now;
        foreach (var e in events)
        {
            output.WriteLine(e);
        }

        var faultAt = marks.Where(m => m.Key != "operator" && m.Key != "postgres starting" && m.Key != "postgres up").Select(m => m.Value).DefaultIfEmpty(start).Min();
        var (gap, gapAt) = rig.LargestAckGapAfter(faultAt);
        output.WriteLine($"{faults}: {Total} messages acknowledged in {published - start} ms ({Total * 1000.0 / (published - start):F0}/s); " +
            $"marks {string.Join(", ", marks.OrderBy(m => m.Value).Select(m => $"{m.Key} at {m.Value - start} ms"))}; " +
            $"all {readings} readings stored at {stored - start} ms, all {expected.Length} alerts notified at {notified - start} ms, " +
            $"configs and commands acked at {downlinked - start} ms; largest PUBACK gap after the first fault {gap} ms (from {gapAt - start} ms); " +
            $"replicas alive {alive}");
        output.WriteLine(await rig.DiagnosticsAsync());
        for (var r = 0; r < fleet.Replicas.Count; r++)
        {
            // degrading cleanly: each part says once that PostgreSQL is away and once that it is back, not once per attempt
            var complaints = fleet.Replicas[r].Log.Split('\n').Count(l => l.StartsWith("warn:", StringComparison.Ordinal) || l.StartsWith("fail:", StringComparison.Ordinal));
            output.WriteLine($"replica {r}: {complaints} warnings and errors in its log");
            Assert.True(complaints <= 30, $"replica {r} logged {complaints} warnings and errors:\n{Tail(fleet.Replicas[r].Log, 8000)}");
        }

        if (marks.TryGetValue("postgres up", out var up))
        {
            var down = marks.First(m => m.Key.StartsWith("postgres ", StringComparison.Ordinal) && m.Key != "postgres up" && m.Key != "postgres starting").Value;
            output.WriteLine($"PostgreSQL away {up - down} ms; PUBACKs during the outage: {rig.AcksBetween(down, up)}; alerts notified {notified - up} ms after it was back");
            Assert.True(rig.AcksBetween(down, up) > 0, "ingest stalled while PostgreSQL was away");
        }
    }

    /// <summary>The operator sets a config and sends a command to each target through replica 1's API (the replica no test kills), retrying what a fault refused.</summary>
    private static async Task SendDownlinkAsync(ClusterFaultRig rig, string[] targets, System.Collections.Concurrent.ConcurrentDictionary<string, (string, long)> sent, System.Collections.Concurrent.ConcurrentQueue<string> events)
    {
        using var api = rig.Api(1);
        foreach (var device in targets)
        {
            var rev = await RetryAsync(async () =>
            {
                using var put = await api.PutAsJsonAsync($"/api/v1/devices/{device}/config", new { sampleSec = 600 });
                return put.StatusCode == HttpStatusCode.Accepted ? (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("desired").GetProperty("rev").GetInt64() : (long?)null;
            }, events, $"config of {device}");
            var id = await RetryAsync(async () =>
            {
                using var post = await api.PostAsJsonAsync($"/api/v1/devices/{device}/commands", new { cmd = "sample_now" });
                return post.StatusCode == HttpStatusCode.Accepted ? (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString() : null;
            }, events, $"command to {device}");
            sent[device] = (id!, rev!.Value);
        }
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, System.Collections.Concurrent.ConcurrentQueue<string> events, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await call() is { } done)
                {
                    return done;
                }
            }
            catch (HttpRequestException e)
            {
                events.Enqueue($"{what}: attempt {attempt} failed: {e.Message}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what} was refused for 60 s");
            events.Enqueue($"{what}: attempt {attempt} refused, retrying");
            await Task.Delay(500);
        }
    }

    private static async Task<List<(string Rule, string Device, DateTimeOffset Since)>> SinceAsync(ClusterFaultRig rig)
    {
        var rows = new List<(string, string, DateTimeOffset)>();
        await using var connection = new Npgsql.NpgsqlConnection(rig.StateDb);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT json FROM alerts", connection);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var alert = JsonSerializer.Deserialize<Alert>(r.GetString(0), AlertRule.Json)!;
            rows.Add((alert.RuleId, alert.Device, alert.Since));
        }

        return rows;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if (await done())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not answering yet
            }

            Assert.True(DateTime.UtcNow < deadline, $"not within 60 s: {what}");
            await Task.Delay(200);
        }
    }

    private static string Logs(ClusterFaultRig rig) =>
        string.Join("\n", rig.Fleet.Replicas.Select((r, i) => $"--- replica {i} ---\n{Tail(r.Log, 6000)}"));

    private static string Tail(string s, int n) => s.Length <= n ? s : s[^n..];
}
