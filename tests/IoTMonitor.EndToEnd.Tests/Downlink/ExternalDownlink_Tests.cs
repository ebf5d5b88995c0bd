using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests.Downlink;

/// <summary>External mode: the gateway is a client of a real Mosquitto; config (retained) and commands go through it, acks come back on the share group.</summary>
[Collection(InfluxCollection.Name)]
public sealed class ExternalDownlink_Tests(InfluxDbFixture influx)
{
    private static Task<GatewayUnderTest> StartExternalAsync(InfluxDbServer influx, MosquittoServer mosquitto, string clientId) =>
        GatewayUnderTest.StartAsync(
            influx,
            "--Mqtt:Mode=External",
            "--Mqtt:External:Host=127.0.0.1",
            $"--Mqtt:External:Port={mosquitto.Port}",
            $"--Mqtt:External:ClientId={clientId}",
            "--Mqtt:External:ReconnectMaxMs=300");

    [Fact]
    public async Task Config_and_command_round_trip_through_mosquitto()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        await using var gw = await StartExternalAsync(influx.Server, mosquitto, "gw-downlink");
        await Poll.UntilAsync(() => Task.FromResult(gw.Service<IMqttListener>().IsConnected), c => c, "the gateway's connection to mosquitto");
        using var node = await DownlinkNode.EnrolAsync(gw, "hetao-id", "wq-0301", mosquitto.Port);
        await node.WakeAsync(); // the node's persistent session at mosquitto

        var put = await gw.Http.PutAsJsonAsync("/api/v1/devices/wq-0301/config", new { sampleSec = 600, thresholds = new[] { new { q = "water.level", above = 3.5 } } });
        Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);
        var post = await gw.Http.PostAsJsonAsync("/api/v1/devices/wq-0301/commands", new { cmd = "time_sync" });
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        await node.WakeAsync();
        var applied = await Poll.JsonAsync(gw.Http, "/api/v1/devices/wq-0301/config", d => d.GetProperty("state").GetString() == "applied", "config applied");
        Assert.Equal(1, applied.GetProperty("acked").GetProperty("rev").GetInt64());
        var acked = await Poll.JsonAsync(gw.Http, $"/api/v1/devices/wq-0301/commands/{id}", c => c.GetProperty("state").GetString() != "queued", "command answered");
        Assert.Equal("acked", acked.GetProperty("state").GetString());
        Assert.InRange(node.LastSleepSeconds, 450, 600);
        Assert.Equal(1, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkCommandAcks));
        Assert.True(node.Node.Uploaded > 0);
    }

    [Fact]
    public async Task While_the_broker_is_down_a_config_waits_for_the_reconnect_and_a_command_is_refused_as_unsent()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        await using var gw = await StartExternalAsync(influx.Server, mosquitto, "gw-downlink-outage");
        await Poll.UntilAsync(() => Task.FromResult(gw.Service<IMqttListener>().IsConnected), c => c, "the gateway's connection to mosquitto");
        using var node = await DownlinkNode.EnrolAsync(gw, "hetao-id", "wq-0302", mosquitto.Port);
        await node.WakeAsync();

        mosquitto.Stop();
        await Poll.UntilAsync(() => Task.FromResult(gw.Service<IMqttListener>().IsConnected), c => !c, "the gateway to notice the broker is gone");

        var put = await gw.Http.PutAsJsonAsync("/api/v1/devices/wq-0302/config", new { uploadSec = 600 });
        Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);
        Assert.Equal("pending", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var post = await gw.Http.PostAsJsonAsync("/api/v1/devices/wq-0302/commands", new { cmd = "sample_now" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        var commands = await gw.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0302/commands");
        Assert.Equal("unsent", commands.EnumerateArray().Single().GetProperty("state").GetString());
        Assert.True(GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkPublishFailures) >= 2);

        // Back: the gateway publishes the stored revision at its reconnect; the node gets it when it connects.
        await mosquitto.StartAsync();
        await Poll.UntilAsync(() => Task.FromResult(GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkConfigPublished)), n => n >= 1, "the config published after the reconnect");
        await node.WakeAsync();
        var applied = await Poll.JsonAsync(gw.Http, "/api/v1/devices/wq-0302/config", d => d.GetProperty("state").GetString() == "applied", "config applied after the outage");
        Assert.Equal(1, applied.GetProperty("desired").GetProperty("rev").GetInt64());
        Assert.Equal("unsent", (await gw.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0302/commands"))[0].GetProperty("state").GetString());
    }
}
