using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Validation;
using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests.Downlink;

/// <summary>
/// The downlink API's refusals (validation, unknown device, roles), acks the node did not send
/// properly (rejected, malformed, unknown), and a pipeline that goes on after them.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class DownlinkApi_Tests(InfluxDbFixture influx)
{
    private static async Task<string> KeyAsync(GatewayUnderTest gw, string name, string role)
    {
        var r = await gw.Http.PostAsJsonAsync("/api/v1/keys", new { name, role });
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(GatewayUnderTest gw, HttpMethod method, string path, string key, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", key);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var client = new HttpClient { BaseAddress = gw.BaseUrl };
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_values_unknown_devices_and_roles_are_refused_before_anything_is_sent()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        await gw.EnrolAsync("wei-xianyang", "wq-0201");
        var viewer = await KeyAsync(gw, "agency", "viewer");
        var op = await KeyAsync(gw, "duty-operator", "operator");
        const string config = "/api/v1/devices/wq-0201/config";
        const string commands = "/api/v1/devices/wq-0201/commands";

        var refusals = new (HttpMethod Method, string Path, string Body, string[] Mentions)[]
        {
            (HttpMethod.Put, config, """{"sampleSec":5}""", ["sampleSec", "10–86400"]),
            (HttpMethod.Put, config, """{"uploadSec":700000}""", ["uploadSec", "10–604800"]),
            (HttpMethod.Put, config, """{"batchMax":0}""", ["batchMax", "1–200"]),
            (HttpMethod.Put, config, """{"maxAwakeSec":601}""", ["maxAwakeSec", "5–600"]),
            (HttpMethod.Put, config, """{"sampleSec":"900"}""", ["sampleSec"]),
            (HttpMethod.Put, config, """{"sampleSec":900.5}""", ["sampleSec"]),
            (HttpMethod.Put, config, """{"rev":7}""", ["rev", "gateway"]),
            (HttpMethod.Put, config, """{"wifi":{"ssid":"x"}}""", ["wifi", "not a remote config key"]),
            (HttpMethod.Put, config, """{"thresholds":[{"q":"water.salinity","above":1}]}""", ["thresholds[0].q", "vocabulary"]),
            (HttpMethod.Put, config, """{"thresholds":[{"q":"water.level"}]}""", ["thresholds[0]", "above"]),
            (HttpMethod.Put, config, "[1,2]", ["JSON object"]),
            (HttpMethod.Patch, config, "{nope", ["not JSON"]),
            (HttpMethod.Put, config, "{\"thresholds\":[" + string.Join(',', Enumerable.Repeat("""{"q":"water.level","above":3.5}""", 17)) + "]}", ["16"]),
            (HttpMethod.Post, commands, """{"cmd":"clear_queue"}""", ["clear_queue", "confirm"]),
            (HttpMethod.Post, commands, """{"cmd":"set_interval"}""", ["sec", "10–86400"]),
            (HttpMethod.Post, commands, """{"cmd":"set_interval","sec":5}""", ["sec", "10–86400"]),
            (HttpMethod.Post, commands, """{"cmd":"self_destruct"}""", ["cmd", "sample_now"]),
            (HttpMethod.Post, commands, """{"cmd":"sample_now","sec":60}""", ["sec", "set_interval"]),
        };
        foreach (var (method, path, body, mentions) in refusals)
        {
            var (status, text) = await SendAsync(gw, method, path, op, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{method} {body}: {status} {text}");
            foreach (var m in mentions)
            {
                Assert.Contains(m, text, StringComparison.Ordinal);
            }
        }

        // Nothing was stored or published by the refused requests.
        var state = await gw.Http.GetFromJsonAsync<JsonElement>(config);
        Assert.Equal("none", state.GetProperty("state").GetString());
        Assert.Equal(0, (await gw.Http.GetFromJsonAsync<JsonElement>(commands)).GetArrayLength());
        Assert.Equal(0, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkConfigPublished));
        Assert.Equal(0, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkCommandsPublished));

        // Unknown device: 404 on every endpoint.
        foreach (var (method, path, body) in new[]
        {
            (HttpMethod.Get, "/api/v1/devices/no-such/config", (string?)null),
            (HttpMethod.Put, "/api/v1/devices/no-such/config", """{"sampleSec":600}"""),
            (HttpMethod.Post, "/api/v1/devices/no-such/commands", """{"cmd":"sample_now"}"""),
            (HttpMethod.Get, "/api/v1/devices/no-such/commands", null),
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(gw, method, path, op, body)).Status);
        }

        // Roles: a viewer reads but cannot write; an operator writes.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(gw, HttpMethod.Get, config, viewer, null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(gw, HttpMethod.Get, commands, viewer, null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(gw, HttpMethod.Put, config, viewer, """{"sampleSec":600}""")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(gw, HttpMethod.Patch, config, viewer, """{"sampleSec":600}""")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(gw, HttpMethod.Delete, config, viewer, null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(gw, HttpMethod.Post, commands, viewer, """{"cmd":"sample_now"}""")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(gw, HttpMethod.Get, config, "wrong", null)).Status);

        var (putStatus, putBody) = await SendAsync(gw, HttpMethod.Put, config, op, """{"sampleSec":600,"thresholds":[{"q":"water.level","above":3.5}]}""");
        Assert.Equal(HttpStatusCode.Accepted, putStatus);
        using (var put = JsonDocument.Parse(putBody))
        {
            var desired = put.RootElement.GetProperty("desired");
            Assert.Equal("duty-operator", desired.GetProperty("by").GetString());
            Assert.Equal(600, desired.GetProperty("config").GetProperty("sampleSec").GetInt32());
        }

        // PATCH is a merge-patch: null removes a key, the rest stays; every write is a new revision.
        var (patchStatus, patchBody) = await SendAsync(gw, HttpMethod.Patch, config, op, """{"thresholds":null,"uploadSec":1800}""");
        Assert.Equal(HttpStatusCode.Accepted, patchStatus);
        using (var patched = JsonDocument.Parse(patchBody))
        {
            var desired = patched.RootElement.GetProperty("desired");
            Assert.Equal(2, desired.GetProperty("rev").GetInt64());
            Assert.Equal("""{"sampleSec":600,"uploadSec":1800}""", desired.GetProperty("config").GetRawText());
        }

        var (deleteStatus, deleteBody) = await SendAsync(gw, HttpMethod.Delete, config, op, null);
        Assert.Equal(HttpStatusCode.Accepted, deleteStatus);
        using (var deleted = JsonDocument.Parse(deleteBody))
        {
            Assert.Equal(3, deleted.RootElement.GetProperty("desired").GetProperty("rev").GetInt64());
            Assert.Equal("{}", deleted.RootElement.GetProperty("desired").GetProperty("config").GetRawText());
            Assert.Equal("pending", deleted.RootElement.GetProperty("state").GetString());
        }

        var (cmdStatus, cmdBody) = await SendAsync(gw, HttpMethod.Post, commands, op, """{"cmd":"clear_queue","confirm":true}""");
        Assert.Equal(HttpStatusCode.Accepted, cmdStatus);
        Assert.Contains("\"by\":\"duty-operator\"", cmdBody, StringComparison.Ordinal);
        Assert.Equal(3, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkConfigPublished));
        Assert.Equal(1, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkCommandsPublished));

        var openApi = await gw.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        foreach (var path in new[] { "/api/v1/devices/{device}/config", "/api/v1/devices/{device}/commands", "/api/v1/devices/{device}/commands/{id}" })
        {
            Assert.True(openApi.GetProperty("paths").TryGetProperty(path, out _), path + " missing from the OpenAPI document");
        }

        var metrics = await gw.Http.GetStringAsync("/metrics");
        Assert.Contains("iotmon_downlink_config_published_total 3", metrics, StringComparison.Ordinal);
        Assert.Contains("iotmon_downlink_commands_published_total 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_the_node_rejects_shows_as_rejected_with_the_firmwares_error_name()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        using var node = await DownlinkNode.EnrolAsync(gw, "wei-xianyang", "wq-0202");
        await node.WakeAsync();

        // Well-formed, so the gateway takes it, but the node has no sensor entry "no-such-probe":
        // only the node can tell, and it refuses the whole config with UnknownSensor (11).
        var put = await gw.Http.PutAsJsonAsync("/api/v1/devices/wq-0202/config", new
        {
            sampleSec = 600,
            calibrations = new[] { new { sensor = "no-such-probe", id = "cal-20261129-x", kind = "linear", points = new[] { new[] { 1.0, 2.0 } } } },
        });
        Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);
        await node.WakeAsync();
        var rejected = await Poll.JsonAsync(gw.Http, "/api/v1/devices/wq-0202/config", d => d.GetProperty("state").GetString() == "rejected", "config rejected");
        Assert.Equal(1, rejected.GetProperty("acked").GetProperty("rev").GetInt64());
        Assert.Equal(11, rejected.GetProperty("acked").GetProperty("err").GetInt32());
        Assert.Equal("UnknownSensor", rejected.GetProperty("acked").GetProperty("errName").GetString());
        // the node may answer twice in one wake: the copy queued in its session and the retained copy
        // sent again at its SUBSCRIBE are the same revision
        Assert.InRange(GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkConfigRejections), 1, 2);
        Assert.InRange(node.LastSleepSeconds, 200, 300); // refused whole: the node keeps its 300 s

        // A forged refusal with the device's own credentials is recorded the same way (the gateway
        // cannot tell it from the node's): the device ACL is what stands in front of it.
        (await gw.Http.PatchAsJsonAsync("/api/v1/devices/wq-0202/config", new { calibrations = (object?)null })).EnsureSuccessStatusCode();
        await using (var device = await DeviceClient.ConnectAsync(gw.MqttPort, "wq-0202", node.Secret))
        {
            await device.PublishAsync("iotmon/v1/wei-xianyang/wq-0202/config/ack", """{"v":1,"rev":2,"ok":false,"err":6}""");
        }

        var forged = await Poll.JsonAsync(gw.Http, "/api/v1/devices/wq-0202/config", d => d.GetProperty("acked").GetProperty("rev").GetInt64() == 2, "the forged answer");
        Assert.Equal("rejected", forged.GetProperty("state").GetString());
        Assert.Equal("UnknownQuantity", forged.GetProperty("acked").GetProperty("errName").GetString());

        // The real node then applies the corrected revision and answers ok: the state follows it.
        await node.WakeAsync();
        await Poll.JsonAsync(gw.Http, "/api/v1/devices/wq-0202/config", d => d.GetProperty("state").GetString() == "applied", "config applied");
        Assert.InRange(node.LastSleepSeconds, 450, 600);
    }

    [Fact]
    public async Task Malformed_and_unknown_acks_are_dead_lettered_and_counted_and_ingest_goes_on()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        using var node = await DownlinkNode.EnrolAsync(gw, "wei-xianyang", "wq-0203");
        await node.WakeAsync();
        (await gw.Http.PutAsJsonAsync("/api/v1/devices/wq-0203/config", new { sampleSec = 600 })).EnsureSuccessStatusCode();
        var post = await gw.Http.PostAsJsonAsync("/api/v1/devices/wq-0203/commands", new { cmd = "sample_now" });
        var id = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var bad = new (string Leaf, string Payload, string Reason)[]
        {
            ("config/ack", "not json at all", "bad_ack"),
            ("config/ack", """{"v":2,"rev":1,"ok":true,"err":0}""", "bad_ack"),
            ("config/ack", """{"v":1,"rev":"1","ok":true,"err":0}""", "bad_ack"),
            ("config/ack", """{"v":1,"rev":99,"ok":true,"err":0}""", "unknown_rev"),
            ("cmd/ack", """{"v":1,"ok":true,"err":0}""", "bad_ack"),
            ("cmd/ack", """{"v":1,"id":"c-999999","ok":true,"err":0}""", "unknown_command"),
            ("cmd/ack", """{"v":1,"id":"x","ok":true,"err":0}""", "unknown_command"),
        };
        await using (var device = await DeviceClient.ConnectAsync(gw.MqttPort, "wq-0203", node.Secret))
        {
            foreach (var (leaf, payload, _) in bad)
            {
                await device.PublishAsync($"iotmon/v1/wei-xianyang/wq-0203/{leaf}", payload);
            }
        }

        await Poll.UntilAsync(() => Task.FromResult(GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkAcksInvalid)), n => n >= bad.Length, "acks dead-lettered");
        Assert.Equal(bad.Length, GatewayCounters.Read(ref gw.Service<Ledger>().Counters.DownlinkAcksInvalid));
        await gw.Service<DeadLetterStore>().FlushAsync(TimeSpan.FromSeconds(10));
        var entries = (await File.ReadAllLinesAsync(gw.Service<DeadLetterStore>().FilePath))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("topic").GetString()!.EndsWith("/ack", StringComparison.Ordinal))
            .Select(e => e.GetProperty("reason").GetString())
            .ToList();
        Assert.Equal(bad.Select(b => b.Reason).Order(), entries.Order());
        Assert.Contains($"iotmon_downlink_acks_invalid_total {bad.Length}", await gw.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);

        // The bad acks changed nothing, and the pipeline goes on: the node's next wake uploads and answers.
        Assert.Equal("pending", (await gw.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0203/config")).GetProperty("state").GetString());
        var durable = GatewayCounters.Read(ref gw.Service<Ledger>().Counters.MessagesDurable);
        await node.WakeAsync();
        Assert.True(node.Node.Uploaded > 0);
        await Poll.JsonAsync(gw.Http, "/api/v1/devices/wq-0203/config", d => d.GetProperty("state").GetString() == "applied", "config applied");
        await Poll.JsonAsync(gw.Http, $"/api/v1/devices/wq-0203/commands/{id}", c => c.GetProperty("state").GetString() == "acked", "command acked");
        Assert.True(GatewayCounters.Read(ref gw.Service<Ledger>().Counters.MessagesDurable) > durable);
    }
}
