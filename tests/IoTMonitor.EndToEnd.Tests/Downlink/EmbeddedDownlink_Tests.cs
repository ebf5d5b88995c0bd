using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests.Downlink;

/// <summary>
/// Remote config and commands through the embedded broker to virtual nodes running the real
/// firmware core: the node picks them up at its next wake, applies them, and its ack is recorded.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class EmbeddedDownlink_Tests(InfluxDbFixture influx)
{
    private const string ServicePassword = "svc-downlink-0123456789";

    private static readonly string[] ServiceLogin = ["--Mqtt:ServiceUser=svc", $"--Mqtt:ServicePassword={ServicePassword}"];

    [Fact]
    public async Task A_sample_interval_set_by_api_is_applied_at_the_next_wake_and_changes_the_nodes_schedule()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server, ServiceLogin);
        using var node = await DownlinkNode.EnrolAsync(gw, "wei-xianyang", "wq-0101");
        await node.WakeAsync();
        Assert.InRange(node.LastSleepSeconds, 200, 300); // the flashed 300 s

        var put = await gw.Http.PutAsJsonAsync("/api/v1/devices/wq-0101/config", new { sampleSec = 600, uploadSec = 600 });
        Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);
        var accepted = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", accepted.GetProperty("state").GetString());
        Assert.Equal(1, accepted.GetProperty("desired").GetProperty("rev").GetInt64());
        Assert.Equal("Api:AdminKey", accepted.GetProperty("desired").GetProperty("by").GetString());

        await node.WakeAsync();
        var applied = await Poll.JsonAsync(gw.Http, "/api/v1/devices/wq-0101/config", d => d.GetProperty("state").GetString() == "applied", "config applied");
        Assert.Equal(1, applied.GetProperty("acked").GetProperty("rev").GetInt64());
        Assert.True(applied.GetProperty("acked").GetProperty("ok").GetBoolean());
        Assert.Equal("None", applied.GetProperty("acked").GetProperty("errName").GetString());
        Assert.InRange(node.LastSleepSeconds, 450, 600); // applied in the same wake: the node now sleeps 600 s

        // The next wake's birth status announces the new interval (protocol §5 "wake").
        await using var watcher = await DeviceClient.ConnectAsync(gw.MqttPort, "svc", ServicePassword);
        await watcher.SubscribeAsync("iotmon/v1/+/+/status");
        await node.WakeAsync();
        var online = await Poll.UntilAsync(
            () => Task.FromResult(watcher.Received.Where(m => m.Payload.Contains("\"online\"", StringComparison.Ordinal)).ToList()),
            l => l.Count > 0,
            "the node's online status");
        using var status = JsonDocument.Parse(online[0].Payload);
        Assert.Equal(600, status.RootElement.GetProperty("wake").GetInt32());

        var devices = await gw.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices");
        var summary = devices.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "wq-0101").GetProperty("config");
        Assert.Equal("applied", summary.GetProperty("state").GetString());
        Assert.Equal(1, summary.GetProperty("desiredRev").GetInt64());
        Assert.Equal(1, summary.GetProperty("ackedRev").GetInt64());
        Assert.True(GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkConfigPublished) >= 1);
        Assert.True(GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkConfigAcks) >= 1);
    }

    [Fact]
    public async Task A_command_sent_while_the_node_sleeps_runs_at_its_next_wake_and_is_acked_once()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        using var node = await DownlinkNode.EnrolAsync(gw, "wei-xianyang", "wq-0102");
        await node.WakeAsync(); // the node's persistent session exists; it sleeps now

        var post = await gw.Http.PostAsJsonAsync("/api/v1/devices/wq-0102/commands", new { cmd = "sample_now" });
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var queued = await post.Content.ReadFromJsonAsync<JsonElement>();
        var id = queued.GetProperty("id").GetString()!;
        Assert.StartsWith("c-", id, StringComparison.Ordinal);
        Assert.Equal("queued", queued.GetProperty("state").GetString());
        Assert.Equal(0, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkCommandAcks));

        await node.WakeAsync();
        var acked = await Poll.JsonAsync(gw.Http, $"/api/v1/devices/wq-0102/commands/{id}", c => c.GetProperty("state").GetString() != "queued", "the command's ack");
        Assert.Equal("acked", acked.GetProperty("state").GetString());
        Assert.Equal(0, acked.GetProperty("err").GetInt32());
        Assert.InRange(node.LastSleepSeconds, 0, 5); // sample_now: the node wakes again at once

        // Two more wakes: the broker does not deliver it again, the node does not answer again.
        await node.WakeAsync();
        await node.WakeAsync();
        var list = await gw.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0102/commands");
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal(acked.GetProperty("ackedAt").GetDateTimeOffset(), list[0].GetProperty("ackedAt").GetDateTimeOffset());
        Assert.Equal(1, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkCommandAcks));
        Assert.Equal(0, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkAckDuplicates));
        Assert.Equal(0, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkAcksInvalid));
    }

    [Fact]
    public async Task Set_interval_overrides_the_sampling_interval_of_the_node()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        using var node = await DownlinkNode.EnrolAsync(gw, "wei-xianyang", "wq-0103");
        await node.WakeAsync();
        var post = await gw.Http.PostAsJsonAsync("/api/v1/devices/wq-0103/commands", new { cmd = "set_interval", sec = 1200 });
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        await node.WakeAsync();
        var acked = await Poll.JsonAsync(gw.Http, $"/api/v1/devices/wq-0103/commands/{id}", c => c.GetProperty("state").GetString() != "queued", "the command's ack");
        Assert.Equal("acked", acked.GetProperty("state").GetString());
        Assert.Equal(1200, acked.GetProperty("args").GetProperty("sec").GetInt32());
        Assert.InRange(node.LastSleepSeconds, 1000, 1200);
    }

    [Fact]
    public async Task A_restart_keeps_the_desired_config_and_the_command_history_and_does_not_bump_the_revision()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        using var node = await DownlinkNode.EnrolAsync(gw, "wei-xianyang", "wq-0104");
        await node.WakeAsync();
        (await gw.Http.PutAsJsonAsync("/api/v1/devices/wq-0104/config", new { sampleSec = 600 })).EnsureSuccessStatusCode();
        (await gw.Http.PatchAsJsonAsync("/api/v1/devices/wq-0104/config", new { batchMax = 20 })).EnsureSuccessStatusCode();
        var post = await gw.Http.PostAsJsonAsync("/api/v1/devices/wq-0104/commands", new { cmd = "upload_now" });
        var id = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await node.WakeAsync();
        await Poll.JsonAsync(gw.Http, "/api/v1/devices/wq-0104/config", d => d.GetProperty("state").GetString() == "applied", "config applied");
        await Poll.JsonAsync(gw.Http, $"/api/v1/devices/wq-0104/commands/{id}", c => c.GetProperty("state").GetString() == "acked", "command acked");
        var before = await gw.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0104/config");

        await gw.RestartAsync();

        var after = await gw.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0104/config");
        Assert.Equal(2, after.GetProperty("desired").GetProperty("rev").GetInt64());
        Assert.Equal(before.GetProperty("desired").GetRawText(), after.GetProperty("desired").GetRawText());
        Assert.Equal(before.GetProperty("acked").GetRawText(), after.GetProperty("acked").GetRawText());
        var commands = await gw.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0104/commands");
        Assert.Equal(id, commands.EnumerateArray().Single().GetProperty("id").GetString());
        Assert.Equal("acked", commands[0].GetProperty("state").GetString());

        // The restarted broker lost its sessions and retained store: a node that connects afresh still
        // gets the stored revision (loaded into the retained store at start) and answers it again.
        using var fresh = await DownlinkNode.EnrolAsync(gw, "wei-xianyang", "wq-0105");
        (await gw.Http.PutAsJsonAsync("/api/v1/devices/wq-0105/config", new { sampleSec = 900 })).EnsureSuccessStatusCode();
        await gw.RestartAsync();
        await fresh.WakeAsync();
        var answered = await Poll.JsonAsync(gw.Http, "/api/v1/devices/wq-0105/config", d => d.GetProperty("state").GetString() == "applied", "config applied after restart");
        Assert.Equal(1, answered.GetProperty("desired").GetProperty("rev").GetInt64());
        Assert.InRange(fresh.LastSleepSeconds, 700, 900);

        // The next change continues from the stored revision.
        var next = await gw.Http.PatchAsJsonAsync("/api/v1/devices/wq-0104/config", new { batchMax = 30 });
        Assert.Equal(3, (await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("desired").GetProperty("rev").GetInt64());
    }
}
