using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Channels.Webhook;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Tests.Cluster;

/// <summary>
/// The whole cluster of issue 21 on loopback: a <see cref="ClusterFleet"/> (its own vhost on the shared 3 RabbitMQ
/// nodes, 2 gateway replicas as processes) whose replicas share a real PostgreSQL of their own (so a test can stop, kill and
/// start it), alert rules seeded from a pack, a real webhook receiver, and devices that behave like the
/// firmware on both paths: QoS 1 telemetry re-sent until acknowledged, and a persistent session subscribed to
/// its <c>config</c> and <c>cmd</c>, each answered on <c>config/ack</c> / <c>cmd/ack</c> (protocol §6, §7),
/// an answer not acknowledged by the broker sent again after the next connect.
/// </summary>
internal sealed class ClusterFaultRig : IAsyncDisposable
{
    public const string AdminKey = "cluster-faults-admin-key-0123";
    public const string HookSecret = "cluster-faults-webhook-secret";

    /// <summary>
    /// Water level above 3.5 m (raised on the first reading above), water temperature above 30 °C for
    /// 60 s of sample time: a threshold and a duration, both on the alerting devices' second half of the burst.
    /// </summary>
    private const string Pack = """
        {"name":"cluster-faults","rules":[
          {"id":"level.high","name":"Water level above warning stage","kind":"threshold","quantity":"water.level","severity":"critical",
           "above":3.5,"hysteresis":0.1,"source":"site-specific (test)","action":"Warn people downstream"},
          {"id":"temp.sustained","name":"Water warm for a minute","kind":"threshold","quantity":"water.temp","severity":"warning",
           "above":30,"hysteresis":0.5,"minDurationSeconds":60,"source":"site-specific (test)","action":"Check the intake"}
        ]}
        """;

    private readonly string _dir;
    private readonly ConcurrentDictionary<string, DeviceDownlink> _downlink = new();
    private readonly List<long> _ackTimes = new();

    private ClusterFaultRig(PostgresServer postgres, string stateDb, WebhookSink hook, string dir)
    {
        Postgres = postgres;
        StateDb = stateDb;
        Hook = hook;
        _dir = dir;
    }

    public PostgresServer Postgres { get; }

    /// <summary>Connection string of the replicas' shared database.</summary>
    public string StateDb { get; }

    public WebhookSink Hook { get; }

    public ClusterFleet Fleet { get; private set; } = null!;

    /// <summary>Seconds between two messages of a device in sample time (so 150 messages span 300 s, all within the live window).</summary>
    public const int SampleStep = 2;

    /// <summary>Pause of a device between two acknowledged messages.</summary>
    public const int PaceMs = 100;

    public static async Task<ClusterFaultRig> StartAsync(RabbitMqClusterFixture cluster, Action<string> log, InfluxDbServer influx, int devices)
    {
        var postgres = await PostgresServer.StartNewAsync();
        var dir = Directory.CreateTempSubdirectory("iotmon-cluster-faults-").FullName;
        var hook = new WebhookSink(HookSecret);
        ClusterFaultRig? rig = null;
        try
        {
            var db = await postgres.CreateDatabaseAsync("faults");
            hook.Start();
            rig = new ClusterFaultRig(postgres, db, hook, dir);
            var pack = Path.Combine(dir, "rules.json");
            await File.WriteAllTextAsync(pack, Pack);
            // pooled, as a deployment runs it (the fixture's own string opens a connection per use); a restart breaks the pooled connections
            var pooled = new Npgsql.NpgsqlConnectionStringBuilder(db) { Pooling = true }.ConnectionString;
            rig.Fleet = await ClusterFleet.StartAsync(cluster, log, influx, devices, replicas: 2,
                "--State:Provider=postgres", $"--State:ConnectionString={pooled}", $"--Api:AdminKey={AdminKey}",
                // the gateway checks each device against the shared registry as well as the broker's login
                "--Registry:RequireAuthentication=true",
                $"--Alerts:RulePackPath={pack}", $"--Alerts:Webhook:Urls:0={hook.Url}", $"--Alerts:Webhook:Secret={HookSecret}",
                "--Alerts:Influx:Enabled=false", "--Alerts:Mqtt:Enabled=false", "--Alerts:Lease:Seconds=4", "--Alerts:Lease:RenewMs=250",
                "--Gateway:LedgerFlushMs=500",
                "--Logging:LogLevel:IoTMonitor.Gateway.Alerts=Information", "--Logging:LogLevel:IoTMonitor.Gateway.Downlink=Information");

            // the operator enrols the site and the devices once, through one replica
            using var http = rig.Api(0);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/sites", new { id = ClusterFleet.Site })).StatusCode);
            foreach (var (id, _) in rig.Fleet.Devices)
            {
                Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/devices", new { id, site = ClusterFleet.Site })).StatusCode);
            }

            return rig;
        }
        catch
        {
            if (rig is not null)
            {
                await rig.DisposeAsync();
            }
            else
            {
                hook.Dispose();
                postgres.Dispose();
            }

            throw;
        }
    }

    /// <summary>An HTTP client for replica <paramref name="replica"/>'s API with the admin key.</summary>
    public HttpClient Api(int replica)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Fleet.Replicas[replica].HttpPort}"), Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return http;
    }

    /// <summary>Whether the device raises the alerts: every third one.</summary>
    public static bool Alerting(int device) => device % 3 == 0;

    /// <summary>
    /// Message <paramref name="m"/> of device <paramref name="device"/>: 4 readings (pH, temperature, EC, level) at
    /// <paramref name="t0"/> + m·<see cref="SampleStep"/>; an alerting device is high from the middle of the burst on.
    /// </summary>
    public static byte[] Batch(int device, int m, int messages, long t0)
    {
        var high = Alerting(device) && m >= messages / 2;
        var t = t0 + (m * SampleStep);
        var level = high ? "4.2" : "1.2";
        var temp = high ? "31.5" : "14.5";
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":1,\"clk\":{t + 1},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":2}},\"r\":[" +
            $"[{1 + (m * 4)},{t},\"water.ph\",7.12,0],[{2 + (m * 4)},{t},\"water.temp\",{temp},0],[{3 + (m * 4)},{t},\"water.ec\",512,0],[{4 + (m * 4)},{t},\"water.level\",{level},0]]}}"));
    }

    /// <summary>What a device has received and answered on its downlink.</summary>
    public DeviceDownlink DownlinkOf(string device) => _downlink.GetOrAdd(device, _ => new DeviceDownlink());

    /// <summary>
    /// Every device publishes <paramref name="messages"/> batches and re-sends what was not acknowledged,
    /// answering its config and commands; a device stays connected after its burst until
    /// <paramref name="downlinkDone"/> says it has everything. <paramref name="onAcked"/> sees the running
    /// PUBACK count (serialised; a fault is injected there). Fails after <paramref name="timeout"/>.
    /// </summary>
    public async Task RunFleetAsync(int messages, long t0, Func<int, Task> onAcked, Func<string, bool> downlinkDone, TimeSpan timeout)
    {
        var total = 0;
        var deadline = DateTime.UtcNow + timeout;
        var faults = new SemaphoreSlim(1, 1);
        var fleet = Fleet;
        await Task.WhenAll(fleet.Devices.Select((d, i) => Task.Run(async () =>
        {
            var acked = new bool[messages];
            var node = i % fleet.Cluster.Nodes.Count;
            var downlink = DownlinkOf(d.Id);
            var prefix = $"iotmon/v1/{ClusterFleet.Site}/{d.Id}/";
            while (Array.IndexOf(acked, false) >= 0 || !downlinkDone(d.Id) || !downlink.AnswersOut)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{d.Id}: {acked.Count(a => !a)} messages unacknowledged, downlink {downlink} after {timeout}");
                using var client = new MqttClientFactory().CreateMqttClient();
                client.ApplicationMessageReceivedAsync += e =>
                {
                    downlink.Receive(e.ApplicationMessage.Topic[prefix.Length..], e.ApplicationMessage.ConvertPayloadToString());
                    return Task.CompletedTask;
                };
                try
                {
                    var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
                        .WithTcpServer("127.0.0.1", fleet.Cluster.Nodes[node].MqttPort)
                        .WithProtocolVersion(MqttProtocolVersion.V311)
                        .WithClientId(d.Id).WithCleanSession(false).WithCredentials(fleet.MqttUser(d.Id), d.Secret)
                        .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
                        .WithTimeout(TimeSpan.FromSeconds(5)).Build());
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new InvalidOperationException(result.ResultCode.ToString());
                    }

                    await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter(prefix + "config", MqttQualityOfServiceLevel.AtLeastOnce)
                        .WithTopicFilter(prefix + "cmd", MqttQualityOfServiceLevel.AtLeastOnce).Build());
                }
                catch (Exception)
                {
                    node = (node + 1) % fleet.Cluster.Nodes.Count; // the next node behind the balancer
                    await Task.Delay(200);
                    continue;
                }

                var lost = false;
                for (var m = 0; m <= messages && !lost; m++)
                {
                    // the answers first, as the firmware sends them in the wake that received the message
                    while (downlink.NextAnswer() is { } answer)
                    {
                        if (!await TryPublishAsync(client, prefix + answer.Kind, answer.Json))
                        {
                            downlink.Unsent(answer);
                            lost = true;
                            break;
                        }

                        downlink.Sent();
                    }

                    if (lost || m == messages || acked[m])
                    {
                        continue;
                    }

                    if (!await TryPublishAsync(client, IoTMonitor.Gateway.Tests.Support.Payloads.Topic(ClusterFleet.Site, d.Id), Batch(i, m, messages, t0)))
                    {
                        lost = true;
                        break;
                    }

                    acked[m] = true;
                    await Task.Delay(PaceMs); // a node's upload: a message every 100 ms, so the burst outlasts the faults
                    lock (_ackTimes)
                    {
                        _ackTimes.Add(fleet.Now);
                    }

                    var count = Interlocked.Increment(ref total);
                    await faults.WaitAsync();
                    try
                    {
                        await onAcked(count);
                    }
                    finally
                    {
                        faults.Release();
                    }
                }

                // the burst is out: stay awake for the config and commands (a node in a maintenance wake)
                while (!lost && Array.IndexOf(acked, false) < 0 && !(downlinkDone(d.Id) && downlink.AnswersOut) && DateTime.UtcNow < deadline)
                {
                    if (!client.IsConnected)
                    {
                        lost = true;
                        break;
                    }

                    while (downlink.NextAnswer() is { } answer)
                    {
                        if (!await TryPublishAsync(client, prefix + answer.Kind, answer.Json))
                        {
                            downlink.Unsent(answer);
                            lost = true;
                            break;
                        }

                        downlink.Sent();
                    }

                    await Task.Delay(50);
                }

                if (lost)
                {
                    node = (node + 1) % fleet.Cluster.Nodes.Count;
                }
                else
                {
                    try
                    {
                        await client.DisconnectAsync();
                    }
                    catch (Exception)
                    {
                        // the node sleeps either way
                    }
                }
            }
        })));
    }

    /// <summary>Telemetry PUBACKs between two moments of fleet time.</summary>
    public int AcksBetween(long fromMs, long toMs)
    {
        lock (_ackTimes)
        {
            return _ackTimes.Count(t => t >= fromMs && t <= toMs);
        }
    }

    /// <summary>The largest pause between two consecutive PUBACKs of telemetry after <paramref name="fromMs"/> (fleet time), and after which PUBACK it began.</summary>
    public (long Gap, long At) LargestAckGapAfter(long fromMs)
    {
        long[] times;
        lock (_ackTimes)
        {
            times = _ackTimes.Where(t => t >= fromMs - 1).Order().ToArray();
        }

        (long Gap, long At) largest = (0, fromMs);
        for (var i = 1; i < times.Length; i++)
        {
            if (times[i] - times[i - 1] > largest.Gap)
            {
                largest = (times[i] - times[i - 1], times[i - 1]);
            }
        }

        return largest;
    }

    private static async Task<bool> TryPublishAsync(IMqttClient client, string topic, object payload)
    {
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var builder = new MqttApplicationMessageBuilder().WithTopic(topic).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            builder = payload is byte[] bytes ? builder.WithPayload(bytes) : builder.WithPayload((string)payload);
            var r = await client.PublishAsync(builder.Build(), wait.Token);
            return r.IsSuccess;
        }
        catch (Exception)
        {
            return false; // connection lost: connect again and re-send
        }
    }

    /// <summary>Rows of the shared alert store: (rule, device) of every alert.</summary>
    public async Task<List<(string Rule, string Device, string Id)>> AlertsAsync()
    {
        var rows = new List<(string, string, string)>();
        await using var connection = new Npgsql.NpgsqlConnection(StateDb);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT rule_id, device, id FROM alerts ORDER BY rule_id, device", connection);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            rows.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }

        return rows;
    }

    /// <summary>A counter or gauge of replica <paramref name="replica"/>'s /metrics.</summary>
    public async Task<long> MetricAsync(int replica, string name)
    {
        using var http = Api(replica);
        var line = (await http.GetStringAsync("/metrics")).Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"/metrics of replica {replica} has no {name}");
        return long.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>For a failure message: the alert metrics of the running replicas and what the shared tables hold.</summary>
    public async Task<string> DiagnosticsAsync()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Fleet.Replicas.Count; i++)
        {
            if (Fleet.Replicas[i].ProcessId is null)
            {
                continue;
            }

            try
            {
                using var http = Api(i);
                var metrics = await http.GetStringAsync("/metrics");
                text.AppendLine(CultureInfo.InvariantCulture, $"replica {i}: {string.Join(' ', metrics.Split('\n').Where(l => l.StartsWith("iotmon_alert_", StringComparison.Ordinal) || l.StartsWith("iotmon_downlink_", StringComparison.Ordinal)))}");
            }
            catch (HttpRequestException e)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"replica {i}: /metrics failed: {e.Message}");
            }
        }

        try
        {
            foreach (var sql in new[]
            {
                "SELECT count(*) FROM alert_rules", "SELECT count(*) FROM alert_rule_state", "SELECT count(*) FROM alert_handoff",
                "SELECT count(*) FROM alert_evaluated_sequences", "SELECT string_agg(holder || ':' || partition, ',') FROM alert_leases WHERE expires > now()",
                "SELECT string_agg(rule_id || '/' || device || ':' || json, ' | ') FROM alert_rule_state",
            })
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{sql}: {await PostgresServer.ScalarAsync(StateDb, sql)}");
            }
        }
        catch (Npgsql.NpgsqlException e)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"tables: {e.Message}");
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (Fleet is not null)
        {
            await Fleet.DisposeAsync();
        }

        Hook.Dispose();
        Postgres.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One device's side of the downlink: what it received, the answers it owes, the answers the broker took.</summary>
internal sealed class DeviceDownlink
{
    private readonly object _gate = new();
    private readonly Queue<(string Kind, string Json)> _owed = new();
    private readonly HashSet<string> _commands = [];
    private readonly HashSet<long> _revs = [];
    private int _sending;

    public (string Kind, string Json)? NextAnswer()
    {
        lock (_gate)
        {
            if (_owed.TryDequeue(out var next))
            {
                _sending++;
                return next;
            }

            return null;
        }
    }

    /// <summary>The broker acknowledged the answer.</summary>
    public void Sent()
    {
        lock (_gate)
        {
            _sending--;
        }
    }

    /// <summary>The broker did not take the answer: it is sent again after the next connect.</summary>
    public void Unsent((string Kind, string Json) answer)
    {
        lock (_gate)
        {
            _owed.Enqueue(answer);
            _sending--;
        }
    }

    /// <summary>Every answer owed so far was acknowledged by the broker.</summary>
    public bool AnswersOut
    {
        get
        {
            lock (_gate)
            {
                return _owed.Count == 0 && _sending == 0;
            }
        }
    }

    public void Receive(string kind, string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        lock (_gate)
        {
            if (kind == "cmd")
            {
                var id = root.GetProperty("id").GetString()!;
                _commands.Add(id);
                _owed.Enqueue(("cmd/ack", $$"""{"v":1,"id":"{{id}}","ok":true,"err":0}"""));
            }
            else if (kind == "config")
            {
                var rev = root.GetProperty("rev").GetInt64();
                _revs.Add(rev);
                _owed.Enqueue(("config/ack", $$"""{"v":1,"rev":{{rev}},"ok":true,"err":0}"""));
            }
        }
    }

    public bool HasCommand(string id)
    {
        lock (_gate)
        {
            return _commands.Contains(id);
        }
    }

    public bool HasRev(long rev)
    {
        lock (_gate)
        {
            return _revs.Contains(rev);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return $"commands [{string.Join(',', _commands)}] revs [{string.Join(',', _revs)}] owed {_owed.Count}";
        }
    }
}

/// <summary>
/// A real webhook receiver (HttpListener on a free loopback port): records each POST with its alert id,
/// event type and whether its HMAC signature (<see cref="WebhookChannel.Sign"/>) is right, answers 200.
/// </summary>
internal sealed class WebhookSink : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _secret;
    private readonly List<(string AlertId, string Type, string EventId, bool Signed)> _calls = [];
    private Task? _loop;

    public WebhookSink(string secret)
    {
        _secret = secret;
        Url = $"http://127.0.0.1:{FreePort.Next()}/hook/";
        _listener.Prefixes.Add(Url);
    }

    public string Url { get; }

    public IReadOnlyList<(string AlertId, string Type, string EventId, bool Signed)> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToList();
            }
        }
    }

    public void Start()
    {
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var signed = (ctx.Request.Headers["X-IoTMonitor-Signature"] ?? string.Empty) ==
                    WebhookChannel.Sign(_secret, ctx.Request.Headers["X-IoTMonitor-Timestamp"] ?? string.Empty, Encoding.UTF8.GetBytes(body));
                using (var doc = JsonDocument.Parse(body))
                {
                    var root = doc.RootElement;
                    lock (_calls)
                    {
                        _calls.Add((root.GetProperty("alert").GetProperty("alertId").GetString()!, root.GetProperty("type").GetString()!,
                            ctx.Request.Headers["X-IoTMonitor-Event"] ?? string.Empty, signed));
                    }
                }

                ctx.Response.StatusCode = 200;
                ctx.Response.Close();
            }
        });
    }

    public void Dispose()
    {
        if (_listener.IsListening)
        {
            _listener.Stop();
        }

        _listener.Close();
        _loop?.Wait(TimeSpan.FromSeconds(5));
    }
}
