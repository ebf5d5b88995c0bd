using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Tests.State;

/// <summary>Whole gateways (in-process, real InfluxDB, PostgreSQL and Mosquitto) with <c>State:Provider = postgres</c>.</summary>
public sealed class SharedState_Tests(PostgresFixture postgres, InfluxDbFixture influx) : IClassFixture<PostgresFixture>, IClassFixture<InfluxDbFixture>
{
    [Fact]
    public async Task Two_replicas_on_one_database_know_a_key_created_or_revoked_on_either()
    {
        var db = await postgres.Server.CreateDatabaseAsync("replicas");
        string[] shared = ["--State:Provider=postgres", $"--State:ConnectionString={db}"];
        await using var a = await GatewayHarness.StartAsync(influx.Server, extra: shared);
        await using var b = await GatewayHarness.StartAsync(influx.Server, extra: shared);

        var created = await CreateKeyAsync(a, "made on replica a", "operator");
        var onB = await CreateKeyAsync(b, "made on replica b", "viewer");

        Assert.Equal("made on replica a", (await MeAsync(b, created.Key)).GetProperty("name").GetString());
        Assert.Equal("made on replica b", (await MeAsync(a, onB.Key)).GetProperty("name").GetString());
        var listedOnB = await b.Http.GetFromJsonAsync<JsonElement>("/api/v1/keys");
        Assert.Equal(2, listedOnB.GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await b.Http.DeleteAsync($"/api/v1/keys/{created.Id}")).StatusCode);
        using var refused = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        refused.Headers.Add("X-Api-Key", created.Key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await a.Http.SendAsync(refused)).StatusCode);
    }

    /// <summary>
    /// A device provisioned through replica A logs in on replica B's broker (B never saw it); its
    /// readings are split between the replicas as a shared subscription would split them (1–4 and
    /// 13–16 reach A, 5–8 reach B, 9–12 neither): both replicas' ledgers show the one real gap, 9–12,
    /// and every reading counted once.
    /// </summary>
    [Fact]
    public async Task A_device_provisioned_on_one_replica_logs_in_on_the_other_and_both_see_the_same_gaps()
    {
        var db = await postgres.Server.CreateDatabaseAsync("replicas");
        string[] shared = ["--State:Provider=postgres", $"--State:ConnectionString={db}", "--Gateway:LedgerFlushMs=100"];
        var database = GatewayHarness.NewDatabase();
        await using var a = await GatewayHarness.StartAsync(influx.Server, database, extra: shared);
        await using var b = await GatewayHarness.StartAsync(influx.Server, database, extra: shared);

        Assert.Equal(HttpStatusCode.Created, (await a.Http.PostAsJsonAsync("/api/v1/sites", new { id = "yr-01", name = "Yellow River 1" })).StatusCode);
        var created = await a.Http.PostAsJsonAsync("/api/v1/devices", new { id = "wq-1", site = "yr-01" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        Assert.Equal(HttpStatusCode.Conflict, (await b.Http.PostAsJsonAsync("/api/v1/devices", new { id = "wq-1", site = "yr-01" })).StatusCode);

        await Assert.ThrowsAnyAsync<Exception>(() => GatewayHarness.ConnectDeviceAsync(b.MqttPort, "wq-1", secret + "x"));
        using var onB = await GatewayHarness.ConnectDeviceAsync(b.MqttPort, "wq-1", secret);
        using var onA = await GatewayHarness.ConnectDeviceAsync(a.MqttPort, "wq-1", secret);

        var t = Payloads.TimeOf(0);
        Assert.True((await GatewayHarness.PublishAsync(onA, Payloads.Topic("yr-01", "wq-1"), Payloads.Batch(1, 1, t))).IsSuccess);
        Assert.True((await GatewayHarness.PublishAsync(onB, Payloads.Topic("yr-01", "wq-1"), Payloads.Batch(1, 5, t + 1))).IsSuccess);
        Assert.True((await GatewayHarness.PublishAsync(onA, Payloads.Topic("yr-01", "wq-1"), Payloads.Batch(1, 13, t + 3))).IsSuccess);

        foreach (var replica in new[] { a, b })
        {
            var ledger = replica.Service<Ledger>().For("yr-01", "wq-1");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!(ledger.Gaps.SequenceEqual([new SequenceGap(9, 12)]) && ledger.Readings == 12) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal([new SequenceGap(9, 12)], ledger.Gaps);
            Assert.Equal(16, ledger.HighestSequence);
            Assert.Equal(12, ledger.Readings);
            var listed = (await replica.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices"))[0];
            Assert.Equal("[[9,12]]", listed.GetProperty("gaps").GetRawText());
        }
    }

    /// <summary>
    /// Two replicas behind one Mosquitto in one <c>$share</c> group: configs set and commands sent
    /// alternately through A and B reach the node through the broker, and its acks — which the share
    /// group hands to either replica — are matched to what the other replica sent: every config applied
    /// and every command acked as both replicas' APIs report it, and each replica recorded some of the acks.
    /// </summary>
    [Fact]
    public async Task Configs_and_commands_sent_through_one_replica_are_acked_through_the_other()
    {
        var db = await postgres.Server.CreateDatabaseAsync("replicas");
        using var mosquitto = await MosquittoServer.StartNewAsync();
        string[] Replica(string clientId) =>
        [
            "--State:Provider=postgres",
            $"--State:ConnectionString={db}",
            "--Mqtt:Mode=External",
            "--Mqtt:External:Host=127.0.0.1",
            $"--Mqtt:External:Port={mosquitto.Port}",
            $"--Mqtt:External:ClientId={clientId}",
            "--Mqtt:External:SharedGroup=iotmon-gateway",
            "--Mqtt:External:ReconnectMaxMs=300",
            "--Registry:RequireAuthentication=false",
        ];
        var database = GatewayHarness.NewDatabase();
        await using var a = await GatewayHarness.StartAsync(influx.Server, database, extra: Replica("gw-a"));
        await using var b = await GatewayHarness.StartAsync(influx.Server, database, extra: Replica("gw-b"));
        GatewayHarness[] replicas = [a, b];
        await a.Http.PostAsJsonAsync("/api/v1/sites", new { id = "yr-01" });
        await a.Http.PostAsJsonAsync("/api/v1/devices", new { id = "wq-1", site = "yr-01" });

        // the node: a persistent session subscribed to its config and commands, answering each
        var received = new ConcurrentQueue<(string Topic, string Payload)>();
        using var node = new MqttClientFactory().CreateMqttClient();
        node.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
            return Task.CompletedTask;
        };
        await node.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mosquitto.Port).WithClientId("wq-1")
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(false).WithSessionExpiryInterval(3600).WithTimeout(TimeSpan.FromSeconds(5)).Build());
        await node.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("iotmon/v1/yr-01/wq-1/config", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("iotmon/v1/yr-01/wq-1/cmd", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        const int Rounds = 6;
        var commandIds = new List<string>();
        for (var i = 0; i < Rounds; i++)
        {
            var through = replicas[i % 2];
            var put = await through.Http.PutAsJsonAsync("/api/v1/devices/wq-1/config", new { sampleSec = 600 + (i * 60) });
            Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);
            var rev = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("desired").GetProperty("rev").GetInt64();
            Assert.Equal(i + 1, rev);
            var posted = await through.Http.PostAsJsonAsync("/api/v1/devices/wq-1/commands", new { cmd = "sample_now" });
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            commandIds.Add(id);

            // the node answers what the broker delivered (the config of this revision, the command with this id)
            await WaitUntilAsync(() => received.Any(m => m.Topic.EndsWith("/config", StringComparison.Ordinal) && m.Payload.Contains($"\"rev\":{rev}", StringComparison.Ordinal))
                && received.Any(m => m.Topic.EndsWith("/cmd", StringComparison.Ordinal) && m.Payload.Contains($"\"{id}\"", StringComparison.Ordinal)));
            await Ack(node, "config/ack", $$"""{"v":1,"rev":{{rev}},"ok":true,"err":0}""");
            await Ack(node, "cmd/ack", $$"""{"v":1,"id":"{{id}}","ok":true,"err":0}""");
            foreach (var replica in replicas)
            {
                await WaitUntilAsync(async () => (await replica.Http.GetFromJsonAsync<JsonElement>($"/api/v1/devices/wq-1/commands/{id}")).GetProperty("state").GetString() == "acked"
                    && (await replica.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-1/config")).GetProperty("state").GetString() == "applied");
            }
        }

        long ConfigAcks(GatewayHarness g) => GatewayCounters.Read(ref g.Service<Ledger>().Counters.DownlinkConfigAcks);
        long CommandAcks(GatewayHarness g) => GatewayCounters.Read(ref g.Service<Ledger>().Counters.DownlinkCommandAcks);
        Assert.Equal(Rounds, ConfigAcks(a) + ConfigAcks(b));
        Assert.Equal(Rounds, CommandAcks(a) + CommandAcks(b));
        Assert.True(ConfigAcks(a) + CommandAcks(a) > 0 && ConfigAcks(b) + CommandAcks(b) > 0, "the share group handed acks to both replicas");
        Assert.Equal(0, GatewayCounters.Read(ref a.Service<Ledger>().Counters.DownlinkAcksInvalid) + GatewayCounters.Read(ref b.Service<Ledger>().Counters.DownlinkAcksInvalid));
        var listed = await b.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-1/commands");
        Assert.Equal(commandIds.AsEnumerable().Reverse(), listed.EnumerateArray().Select(c => c.GetProperty("id").GetString()));
    }

    private static Task Ack(IMqttClient node, string kind, string json) =>
        node.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"iotmon/v1/yr-01/wq-1/{kind}").WithPayload(json).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    private static Task WaitUntilAsync(Func<bool> done) => WaitUntilAsync(() => Task.FromResult(done()));

    private static async Task WaitUntilAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "not reached within 20 s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_database_with_a_newer_schema_stops_the_start()
    {
        var db = await postgres.Server.CreateDatabaseAsync("newer");
        using (new PostgresState(db, PostgresMigrations.Steps.Append((PostgresMigrations.Latest + 1, "from a newer gateway", "CREATE TABLE newer (id int)")).ToList(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
        }

        var dataDir = Directory.CreateTempSubdirectory("iotmon-gw-newer-").FullName;
        var mqttPort = FreePort.Next();
        try
        {
            await using var app = GatewayApp.Build(
            [
                $"--Urls=http://127.0.0.1:{FreePort.Next()}",
                $"--Gateway:DataDir={dataDir}",
                "--Mqtt:BindAddress=127.0.0.1",
                $"--Mqtt:Port={mqttPort}",
                $"--Storage:Url={influx.Server.Url}",
                "--Logging:LogLevel:Default=Warning",
                "--State:Provider=postgres",
                $"--State:ConnectionString={db}",
            ]);

            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

            Assert.Contains($"schema version {PostgresMigrations.Latest + 1}, newer than this gateway knows ({PostgresMigrations.Latest})", e.Message, StringComparison.Ordinal);
            Assert.False(FreePort.IsListening(mqttPort), "the broker does not start on a schema it does not know");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<(string Id, string Key)> CreateKeyAsync(GatewayHarness gateway, string name, string role)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/v1/keys", new { name, role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }

    private static async Task<JsonElement> MeAsync(GatewayHarness gateway, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("X-Api-Key", key);
        using var response = await gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
