// Cluster-mode replica benchmark (bench/cluster/replicas.sh; not a timed test). On loopback: a 3-node
// RabbitMQ cluster, PostgreSQL (shared state, partition leases), InfluxDB, and 1 then 2 gateway
// processes (Mqtt:Mode=Cluster, 8 partition queues, WAL fsync on). Each run:
//   fill:  BENCH_DEVICES MQTT 3.1.1 devices (own broker users and topic ACLs), each with BENCH_WINDOW QoS 1
//          publishes in flight, put BENCH_MESSAGES batches of 4 readings into the partition queues while no
//          gateway runs (the broker's ingest cost, PUBACK after the quorum commit);
//   drain: the replicas start together, share the partitions by their leases, and drain the backlog: with
//          the queues full and 500 deliveries in flight per partition consumer, the gateways, not the
//          devices' PUBACK round trips, set the pace.
// Printed per run: the drain rate (messages/s between 10 % and 90 % of the deliveries, from the replicas'
// /metrics), CPU seconds per 1,000 messages of each gateway process and of the broker nodes (utime+stime
// from /proc/<pid>/stat over the same window, the broker summed over each node's process tree), the
// deliveries each replica took, and whether every reading was stored exactly once; then the 2:1 ratio.
// Environment: BENCH_MESSAGES (60000), BENCH_DEVICES (100), BENCH_SITES (25), BENCH_WINDOW (16), BENCH_REPEATS (1),
// BENCH_VERBOSE=1 (when the alert partitions changed hands, and the replicas' alert-lease log lines).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using IoTMonitor.Gateway.State;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

var inv = CultureInfo.InvariantCulture;
int Env(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, inv, out var v) && v > 0 ? v : fallback;
var messages = Env("BENCH_MESSAGES", 60_000);
var devices = Env("BENCH_DEVICES", 100);
var window = Env("BENCH_WINDOW", 16);
var repeats = Env("BENCH_REPEATS", 1);
// alerts are evaluated per site, by the replica holding the site's partition: a fleet of one site has one
// evaluator however many replicas run, so the default spreads the devices over sites, 4 to a site, as a
// station with level, rain, water-quality and soil nodes
var sites = Env("BENCH_SITES", 25);
const int Partitions = 8;
const string GatewayUser = "iotmon-gateway";
const string GatewayPassword = "gw-bench-0123456";
const string AdminKey = "replica-bench-admin-key";
var ticks = 100.0; // USER_HZ: /proc/<pid>/stat counts CPU time in clock ticks (sysconf(_SC_CLK_TCK), 100 on Linux)
string Load() => File.ReadAllText("/proc/loadavg").Trim();

Console.WriteLine($"cluster replica benchmark: {messages} QoS 1 messages x 4 readings, {devices} devices x {window} in flight on {Math.Min(sites, devices)} sites, {Partitions} partitions, 3 RabbitMQ nodes; {Environment.ProcessorCount} cores, load {Load()}");
using var influx = await InfluxDbServer.StartNewAsync();
using var postgres = await PostgresServer.StartNewAsync();
await using var cluster = await RabbitMqCluster.StartNewAsync(3);
await cluster.ProvisionAsync(string.Empty, "topology", "--partitions", Partitions.ToString(inv));
await cluster.ProvisionAsync(string.Empty, "gateway", GatewayUser, GatewayPassword);
var fleet = Enumerable.Range(0, devices).Select(i => ($"b{i:D4}", $"secret-{Guid.NewGuid():N}", $"bench-{i % sites:D2}")).ToArray();
await cluster.ProvisionAsync(string.Join('\n', fleet.Select(d => $"{d.Item3},{d.Item1},{d.Item2}")), "devices", "-");

var results = new Dictionary<int, List<double>>();
var epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5_000_000;
var run = 0;
for (var repeat = 0; repeat < repeats; repeat++)
{
    foreach (var replicas in new[] { 1, 2 })
    {
        var rate = await RunAsync(replicas, run++);
        results.TryAdd(replicas, []);
        results[replicas].Add(rate);
    }
}

double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
Console.WriteLine($"ratio 2 replicas : 1 replica = {Median(results[2]) / Median(results[1]):F2} (drain rates {Median(results[2]):F0} and {Median(results[1]):F0} msg/s, medians of {repeats}); load at the end {Load()}");
return 0;

async Task<double> RunAsync(int replicas, int runNo)
{
    var database = $"bench{runNo}_{Guid.NewGuid().ToString("N")[..8]}";
    // pooled, as a deployment runs: the fixtures' strings are unpooled (the test suite's own short connections), and
    // an unpooled gateway forks a PostgreSQL backend for every statement outside a transaction (a site lookup per
    // site and alert group: 45 batches/s with 25 sites)
    var state = new Npgsql.NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync("bench")) { Pooling = true }.ConnectionString;
    var first = epoch + (runNo * (long)(messages / devices + 10));

    // fill: the backlog waits in the quorum queues
    var brokerBefore = cluster.Nodes.Sum(n => TreeTicks(n.Pid!.Value));
    var fill = Stopwatch.StartNew();
    await PublishAsync(first);
    fill.Stop();
    var brokerFill = (cluster.Nodes.Sum(n => TreeTicks(n.Pid!.Value)) - brokerBefore) / ticks;

    // drain: the lease rows are held by a placeholder until every replica answers /metrics, then freed:
    // the replicas take their shares at their next round and drain together (a start under load takes
    // longer than the drain; the join and hand-over themselves are ClusterSpread_Tests' subject)
    using (new PostgresState(new StateOptions { Provider = StateOptions.Postgres, ConnectionString = state }, NullLogger<PostgresState>.Instance))
    {
    }

    var names = Enumerable.Range(0, replicas).Select(r => $"bench-{runNo}-{r}").ToArray();
    await PostgresServer.ExecuteAsync(state, "INSERT INTO lease_members (scope, replica, expires) VALUES " +
        string.Join(',', names.Select(n => $"('ingest_leases', '{n}', now() + interval '60 seconds')")));
    await PostgresServer.ExecuteAsync(state, "INSERT INTO ingest_leases (partition, holder, token, expires) VALUES " +
        string.Join(',', Enumerable.Range(0, Partitions).Select(p => $"({p}, 'bench-hold', 0, now() + interval '1 hour')")));
    var dirs = new List<string>();
    var gateways = new List<GatewayProcess>();
    try
    {
        var endpoints = string.Join(',', cluster.Nodes.Select(n => $"127.0.0.1:{n.AmqpPort}"));
        for (var r = 0; r < replicas; r++)
        {
            var dir = Directory.CreateTempSubdirectory("iotmon-bench-replica-").FullName;
            dirs.Add(dir);
            gateways.Add(new GatewayProcess(dir, 0, FreePort.Next(),
                $"--Storage:Url={influx.Url}", $"--Storage:Database={database}",
                "--Mqtt:Mode=Cluster", $"--Mqtt:Cluster:Endpoints={endpoints}", $"--Mqtt:Cluster:Username={GatewayUser}",
                $"--Mqtt:Cluster:Password={GatewayPassword}", $"--Mqtt:Cluster:Partitions={Partitions}",
                "--State:Provider=postgres", $"--State:ConnectionString={state}", "--Mqtt:Cluster:Balance=true", $"--Api:AdminKey={AdminKey}", $"--Mqtt:Cluster:Replica={names[r]}",
                "--Registry:RequireAuthentication=false", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:IoTMonitor.Gateway.Alerts=Information", "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff ", "--Logging:Console:FormatterOptions:UseUtcTimestamp=true"));
        }

        var starting = Task.WhenAll(gateways.Select(g => g.StartAsync()));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var lo = messages / 10;
        var hi = messages * 9 / 10;
        Sample? from = null, to = null;
        var samples = new List<Sample>();
        var released = false;
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (to is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the replicas did not drain {messages} messages in 10 minutes");
            }

            if (starting.IsFaulted)
            {
                await starting;
            }

            var sample = await SampleAsync(http, gateways);
            if (sample is null)
            {
                await Task.Delay(50); // a replica's HTTP port is not up yet
                continue;
            }

            samples.Add(sample);

            if (!released)
            {
                await PostgresServer.ExecuteAsync(state, "UPDATE ingest_leases SET holder = NULL, expires = '-infinity' WHERE holder = 'bench-hold'");
                released = true;
            }

            if (from is null && sample.Delivered >= lo)
            {
                if (sample.Delivered >= messages / 2)
                {
                    Console.WriteLine($"warning: {sample.Delivered} messages were drained before the replicas' /metrics answered; raise BENCH_MESSAGES for a steadier window");
                }

                from = sample;
            }
            else if (from is not null && sample.Delivered >= hi)
            {
                to = sample;
            }

            await Task.Delay(100);
        }

        var delivered = to.Delivered - from!.Delivered;
        var seconds = (to.At - from.At) / (double)Stopwatch.Frequency;
        var rate = delivered / seconds;
        var perGateway = gateways.Select((g, i) => (to.Gateways[i] - from.Gateways[i]) / ticks * 1000 / delivered).ToArray();
        var broker = (to.Broker - from.Broker) / ticks * 1000 / delivered;
        var shares = string.Join(" / ", to.Shares.Select(s => s.ToString(inv)));
        var stored = await WaitStoredAsync(database, messages * 4L);
        Console.WriteLine($"{replicas} replica(s): fill {messages / fill.Elapsed.TotalSeconds:F0} msg/s ({devices} devices x {window} in flight; broker {brokerFill / messages * 1000:F2} CPU s per 1,000 on the ingest side); " +
            $"drain {rate:F0} msg/s ({delivered} messages in {seconds:F1} s); CPU s per 1,000 messages: gateway {string.Join(" + ", perGateway.Select(c => c.ToString("F2", inv)))}, broker nodes {broker:F2}; " +
            $"deliveries per replica {shares}; alert stage per replica (groups, batches evaluated, handed off, alert partitions held at the end) {AlertStage(from, to)}; stored {stored} of {messages * 4} readings; load {Load()}");
        if (Environment.GetEnvironmentVariable("BENCH_VERBOSE") == "1")
        {
            Console.WriteLine($"  window {from.Clock:HH:mm:ss.fff} – {to.Clock:HH:mm:ss.fff} (UTC)");
            string? last = null;
            foreach (var x in samples)
            {
                var held = string.Join(" / ", x.Alerting.Select(c => c[3]));
                if (held != last)
                {
                    Console.WriteLine($"  {x.Clock:HH:mm:ss.fff} alert partitions held {held}, delivered {x.Delivered}");
                    last = held;
                }
            }

            foreach (var (g, i) in gateways.Select((g, i) => (g, i)))
            {
                // the simple console format puts the time on the line before the message
                var lines = g.Log.Split('\n');
                foreach (var at in Enumerable.Range(1, lines.Length - 1).Where(k => lines[k].Contains("Alert evaluator", StringComparison.Ordinal)).Take(12))
                {
                    Console.WriteLine($"  replica {i}: {lines[at - 1].Trim()} {lines[at].Trim()}");
                }
            }
        }

        if (stored != messages * 4L)
        {
            throw new InvalidOperationException($"stored {stored} readings, expected {messages * 4}");
        }

        return rate;
    }
    finally
    {
        foreach (var g in gateways)
        {
            g.Dispose();
        }

        foreach (var dir in dirs)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // a file of a killed process still open
            }
        }
    }
}

async Task PublishAsync(long first)
{
    var perDevice = messages / devices;
    await Task.WhenAll(fleet.Select((d, i) => Task.Run(async () =>
    {
        var count = perDevice + (i < messages % devices ? 1 : 0);
        using var client = new MqttClientFactory().CreateMqttClient();
        // a CONNACK of 'server unavailable' (RabbitMQ 3.10's client-id tracker slow on a loaded machine) is retried, as a node retries, for up to 60 s
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (var attempt = 0; ; attempt++)
        {
            var node = cluster.Nodes[(i + attempt) % cluster.Nodes.Count];
            MqttClientConnectResultCode code;
            try
            {
                code = (await client.ConnectAsync(new MqttClientOptionsBuilder()
                    .WithTcpServer("127.0.0.1", node.MqttPort).WithProtocolVersion(MqttProtocolVersion.V311)
                    .WithClientId(d.Item1).WithCleanSession(false).WithCredentials(d.Item1, d.Item2)
                    .WithTimeout(TimeSpan.FromSeconds(30)).Build())).ResultCode;
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
                continue;
            }

            if (code == MqttClientConnectResultCode.Success)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{d.Item1}: CONNACK {code} for 60 s");
            }

            await Task.Delay(500);
        }

        // up to `window` publishes in flight: the next goes out when one is acknowledged
        using var gate = new SemaphoreSlim(window);
        var pending = new List<Task>();
        for (var m = 0; m < count; m++)
        {
            await gate.WaitAsync();
            var payload = Batch(1, 1 + (m * 4), first + m);
            pending.Add(Task.Run(async () =>
            {
                try
                {
                    var r = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"iotmon/v1/{d.Item3}/{d.Item1}/telemetry")
                        .WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                    if (!r.IsSuccess)
                    {
                        throw new InvalidOperationException($"{d.Item1}: PUBACK {r.ReasonCode}");
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        await Task.WhenAll(pending);
        await client.DisconnectAsync();
    })));
}

// protocol v1 telemetry (docs/protocol.md): 4 readings sampled at t, sequence from firstSeq
static byte[] Batch(long boot, long firstSeq, long t)
{
    string[] quantities = ["water.ph", "water.temp", "water.ec", "water.level"];
    string[] values = ["7.12", "14.5", "512", "1.235"];
    var sb = new StringBuilder(256);
    sb.Append(CultureInfo.InvariantCulture, $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":{boot},\"clk\":{t + 1},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":2}},\"r\":[");
    for (var i = 0; i < 4; i++)
    {
        sb.Append(i > 0 ? "," : string.Empty).Append(CultureInfo.InvariantCulture, $"[{firstSeq + i},{t},\"{quantities[i]}\",{values[i]},0]");
    }

    return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
}

async Task<Sample?> SampleAsync(HttpClient http, List<GatewayProcess> gateways)
{
    var at = Stopwatch.GetTimestamp();
    var shares = new List<long>();
    var alerting = new List<long[]>();
    foreach (var g in gateways)
    {
        string text;
        try
        {
            text = await http.GetStringAsync($"http://127.0.0.1:{g.HttpPort}/metrics");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null; // not listening yet, or too slow to answer on the loaded machine: sample again
        }

        alerting.Add(AlertCounters().Select(name => Counter(text, name)).ToArray());
        shares.Add(Regex.Matches(text, @"^iotmon_cluster_partition_deliveries_total\{[^}]*\} (\d+)$", RegexOptions.Multiline).Sum(m => long.Parse(m.Groups[1].Value, inv)));
    }

    return new Sample(at, shares.Sum(), shares, gateways.Select(g => g.ProcessId is { } pid ? TreeTicks(pid) : 0).ToList(), cluster.Nodes.Sum(n => TreeTicks(n.Pid!.Value)), alerting);
}

async Task<long> WaitStoredAsync(string database, long expected)
{
    var deadline = DateTime.UtcNow.AddMinutes(3);
    long count = 0;
    while (DateTime.UtcNow < deadline)
    {
        try
        {
            count = await influx.CountAsync(database, "water", "seq");
        }
        catch (InvalidOperationException)
        {
            count = 0; // database not created yet
        }
        if (count >= expected)
        {
            await Task.Delay(2000); // settle: a late duplicate would show as a count above expected
            return await influx.CountAsync(database, "water", "seq");
        }

        await Task.Delay(500);
    }

    return count;
}

// utime + stime (fields 14 and 15 of /proc/<pid>/stat, proc(5)) of a process and all its descendants
// the alert engine's counters over the window, per replica: groups against batches shows how full its groups are
static string[] AlertCounters() => ["iotmon_alert_groups_total", "iotmon_alert_batches_evaluated_total", "iotmon_alert_handed_off_total", "iotmon_alert_partitions_held"];

static long Counter(string metrics, string name)
{
    var m = Regex.Match(metrics, $@"^{name} (\d+)$", RegexOptions.Multiline);
    return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
}

static string AlertStage(Sample from, Sample to) =>
    string.Join(" / ", to.Alerting.Select((c, g) => string.Join(", ", c.Select((v, i) => (i == 3 ? v : v - from.Alerting[g][i]).ToString(CultureInfo.InvariantCulture)))));

static long TreeTicks(int root)
{
    var parents = new Dictionary<int, int>();
    var own = new Dictionary<int, long>();
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid))
        {
            continue;
        }

        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": fields[0] is field 3 (state)
            parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            own[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // exited meanwhile
        }
    }

    long total = 0;
    var queue = new Queue<int>([root]);
    while (queue.Count > 0)
    {
        var pid = queue.Dequeue();
        total += own.GetValueOrDefault(pid);
        foreach (var child in parents.Where(p => p.Value == pid).Select(p => p.Key))
        {
            queue.Enqueue(child);
        }
    }

    return total;
}

/// <summary>Per gateway: <see cref="AlertCounters"/> in that order.</summary>
internal sealed record Sample(long At, long Delivered, List<long> Shares, List<long> Gateways, long Broker, List<long[]> Alerting)
{
    public DateTime Clock { get; } = DateTime.UtcNow;
}
