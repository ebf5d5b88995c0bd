using System.Diagnostics;
using System.Text.Json;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Tests.Cluster;

/// <summary>
/// A virtual host of its own on a shared RabbitMQ cluster (<see cref="RabbitMqClusterFixture"/>), provisioned for
/// IoTMonitor (the operator's script: topology, the gateway's user, one broker user per device with its topic
/// ACL, all on that vhost), gateway replicas as separate processes consuming it,
/// and a fleet of devices that publish like the firmware: MQTT 3.1.1, persistent session, QoS 1, a
/// message leaves the device's queue only on PUBACK, and after a lost connection the device connects
/// again (to the next node in its list, as behind a load balancer) and re-sends everything not acknowledged.
/// Disposing stops the replicas, brings back a broker node the test killed (the cluster whole, every quorum
/// queue with its members online) and deletes the vhost, so the next test on the cluster starts as on a fresh one.
/// </summary>
internal sealed class ClusterFleet : IAsyncDisposable
{
    public const int Partitions = 4;
    private const string GatewayUser = "iotmon-gateway";
    private const string GatewayPassword = "gw-secret-0123";
    private readonly List<GatewayProcess> _replicas = new();
    private readonly List<string> _replicaDirs = new();
    private readonly Uri _influxUrl;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<long> _ackTimes = new();
    private string[] _replicaArgs = [];

    private readonly RabbitMqClusterFixture _shared;
    private readonly Action<string> _log;

    private ClusterFleet(RabbitMqClusterFixture shared, Action<string> log, RabbitMqCluster cluster, string virtualHost, Uri influxUrl, string database, int devices)
    {
        _shared = shared;
        _log = log;
        Cluster = cluster;
        VirtualHost = virtualHost;
        _influxUrl = influxUrl;
        Database = database;
        Devices = Enumerable.Range(0, devices).Select(i => ($"c{i:D3}", $"secret-{Guid.NewGuid():N}")).ToArray();
    }

    public RabbitMqCluster Cluster { get; }

    /// <summary>This fleet's virtual host: its queues, the gateway's and the devices' permissions are there only.</summary>
    public string VirtualHost { get; }

    public string Database { get; }

    public (string Id, string Secret)[] Devices { get; }

    public IReadOnlyList<GatewayProcess> Replicas => _replicas;

    public const string Site = "basin-1";

    /// <summary>
    /// A device's MQTT user name: the vhost, a colon, the device's broker user. The MQTT plugin takes the
    /// part before the last colon as the vhost (RabbitMQ 3.10 rabbit_mqtt_processor <c>get_vhost_username</c>),
    /// then checks the login, permissions and topic ACL of the user after it on that vhost, as for the default.
    /// </summary>
    public string MqttUser(string device) => $"{VirtualHost}:{device}";

    /// <summary>Milliseconds since the fleet was created.</summary>
    public long Now => _clock.ElapsedMilliseconds;

    /// <summary>When each PUBACK arrived (ms on <see cref="Now"/>), for the throughput and gap figures.</summary>
    public long[] AckTimes()
    {
        lock (_ackTimes)
        {
            return _ackTimes.Order().ToArray();
        }
    }

    /// <param name="log">The test's output: what the clean-up did to leave the cluster whole.</param>
    /// <param name="replicaArgs">More settings for every replica (e.g. the shared PostgreSQL state).</param>
    public static async Task<ClusterFleet> StartAsync(RabbitMqClusterFixture shared, Action<string> log, InfluxDbServer influx, int devices, int replicas, params string[] replicaArgs)
    {
        var cluster = await shared.ClusterAsync();

        var vhost = $"iotmon-test-{Guid.NewGuid():N}";
        await cluster.AddVirtualHostAsync(vhost);
        var fleet = new ClusterFleet(shared, log, cluster, vhost, influx.Url, GatewayHarness.NewDatabase(), devices) { _replicaArgs = replicaArgs };
        try
        {
            await cluster.ProvisionAsync(string.Empty, "--vhost", vhost, "topology", "--partitions", Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await cluster.ProvisionAsync(string.Empty, "--vhost", vhost, "gateway", GatewayUser, GatewayPassword);
            await cluster.ProvisionAsync(string.Join('\n', fleet.Devices.Select(d => $"{Site},{d.Id},{d.Secret}")), "--vhost", vhost, "devices", "-");
            for (var r = 0; r < replicas; r++)
            {
                await fleet.StartReplicaAsync();
            }

            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more replica and waits until it is connected to the cluster.</summary>
    public async Task StartReplicaAsync()
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-gw-cluster-").FullName;
        _replicaDirs.Add(dir);
        var endpoints = string.Join(',', Cluster.Nodes.Select(n => $"127.0.0.1:{n.AmqpPort}"));
        var replica = new GatewayProcess(dir, 0, FreePort.Next(), [
            $"--Storage:Url={_influxUrl}", $"--Storage:Database={Database}", "--Storage:RetryInitialMs=50",
            "--Mqtt:Mode=Cluster", $"--Mqtt:Cluster:Endpoints={endpoints}", $"--Mqtt:Cluster:Username={GatewayUser}",
            $"--Mqtt:Cluster:Password={GatewayPassword}", $"--Mqtt:Cluster:VirtualHost={VirtualHost}", $"--Mqtt:Cluster:Partitions={Partitions}",
            "--Mqtt:Cluster:HeartbeatSeconds=5",
            // the broker checked each device's login and topic ACL; the replicas' registries are their own files
            "--Registry:RequireAuthentication=false", "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:IoTMonitor.Gateway.Ingest.Cluster=Information", // "Active consumer of <queue>": which replica takes which partition
            .. _replicaArgs]);
        lock (_replicas)
        {
            _replicas.Add(replica);
        }

        await replica.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{replica.HttpPort}") };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await BrokerConnectedAsync(http))
        {
            Assert.True(DateTime.UtcNow < deadline, $"replica did not connect to the cluster:\n{replica.Log}");
            await Task.Delay(200);
        }
    }

    private static async Task<bool> BrokerConnectedAsync(HttpClient http)
    {
        try
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync("/health").ConfigureAwait(false));
            return doc.RootElement.TryGetProperty("broker", out var b) && b.GetProperty("connected").GetBoolean();
        }
        catch (HttpRequestException e) when (e.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every device publishes <paramref name="messages"/> batches of 4 readings; <paramref name="onAcked"/>
    /// sees the fleet's running PUBACK count (the fault is injected there). Returns when every message
    /// was acknowledged, or fails after <paramref name="timeout"/>.
    /// </summary>
    /// <param name="first">Index of the first message (a later burst continues the sequence, so its readings are new points).</param>
    public async Task PublishAllAsync(int messages, Func<int, Task> onAcked, TimeSpan timeout, int first = 0)
    {
        var total = 0;
        var deadline = DateTime.UtcNow + timeout;
        var faults = new SemaphoreSlim(1, 1);
        await Task.WhenAll(Devices.Select((d, i) => Task.Run(async () =>
        {
            var acked = new bool[messages];
            var node = i % Cluster.Nodes.Count;
            while (Array.IndexOf(acked, false) >= 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{d.Id}: {acked.Count(a => !a)} messages still unacknowledged after {timeout}");
                using var client = new MqttClientFactory().CreateMqttClient();
                try
                {
                    var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
                        .WithTcpServer("127.0.0.1", Cluster.Nodes[node].MqttPort)
                        .WithProtocolVersion(MqttProtocolVersion.V311)
                        .WithClientId(d.Id).WithCleanSession(false).WithCredentials(MqttUser(d.Id), d.Secret)
                        .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
                        .WithTimeout(TimeSpan.FromSeconds(5)).Build());
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new InvalidOperationException(result.ResultCode.ToString());
                    }
                }
                catch (Exception)
                {
                    node = (node + 1) % Cluster.Nodes.Count; // the next node behind the balancer
                    await Task.Delay(200);
                    continue;
                }

                for (var m = 0; m < messages; m++)
                {
                    if (acked[m])
                    {
                        continue;
                    }

                    try
                    {
                        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                        var r = await client.PublishAsync(new MqttApplicationMessageBuilder()
                            .WithTopic(Payloads.Topic(Site, d.Id))
                            .WithPayload(Payloads.Batch(1, 1 + ((first + m) * 4), Payloads.TimeOf(first + m)))
                            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), wait.Token);
                        if (!r.IsSuccess)
                        {
                            break;
                        }
                    }
                    catch (Exception)
                    {
                        break; // connection lost: connect again and re-send from the first unacknowledged
                    }

                    acked[m] = true;
                    lock (_ackTimes)
                    {
                        _ackTimes.Add(Now);
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

                if (Array.IndexOf(acked, false) >= 0)
                {
                    node = (node + 1) % Cluster.Nodes.Count;
                }
            }

        })));
    }

    /// <summary>The largest pause between two consecutive PUBACKs of the fleet after <paramref name="fromMs"/>.</summary>
    public long LargestAckGapAfter(long fromMs)
    {
        var times = AckTimes().Where(t => t >= fromMs - 1).ToArray();
        long gap = 0;
        for (var i = 1; i < times.Length; i++)
        {
            gap = Math.Max(gap, times[i] - times[i - 1]);
        }

        return gap;
    }

    /// <summary>From rabbitmqctl list_consumers: the consumers on the partition queues, and the queues that have an active one.</summary>
    public async Task<(int Consumers, int ActiveQueues)> ConsumersAsync()
    {
        var node = Cluster.Nodes.First(n => n.IsRunning);
        var json = await Cluster.CtlAsync(node, "list_consumers", "-p", VirtualHost, "queue_name", "active", "--formatter", "json");
        using var doc = JsonDocument.Parse(json);
        var all = doc.RootElement.EnumerateArray()
            .Where(c => c.GetProperty("queue_name").GetString()!.StartsWith("iotmon.uplink.", StringComparison.Ordinal)).ToArray();
        return (all.Length, all.Where(c => c.GetProperty("active").GetBoolean()).Select(c => c.GetProperty("queue_name").GetString()).Distinct().Count());
    }

    /// <summary>The partition queues a replica has taken deliveries from (its "Active consumer of" log lines).</summary>
    public static HashSet<string> ActiveOn(GatewayProcess replica) =>
        replica.Log.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("Active consumer of ", StringComparison.Ordinal))
            .Select(l => l["Active consumer of ".Length..]).ToHashSet(StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        foreach (var r in _replicas)
        {
            r.Dispose();
        }

        // the next test on the shared cluster starts with every node in it and its own, empty vhost; a node this
        // test killed is back, its quorum queue replicas caught up, before the vhost's queues are deleted on every node
        if (await _shared.MakeWholeAsync() is { } restore)
        {
            _log(restore);
        }

        if (Cluster.Nodes.All(n => n.IsRunning))
        {
            await Cluster.DeleteVirtualHostAsync(VirtualHost); // else the cluster was given up, with everything on it
        }
        foreach (var dir in _replicaDirs)
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
