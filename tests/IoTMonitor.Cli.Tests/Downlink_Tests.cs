using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Link;
using IoTMonitor.Firmware.Host.Node;

namespace IoTMonitor.Cli.Tests;

/// <summary>
/// <c>iotmon config</c> and <c>iotmon command</c> against a real gateway; <c>--wait</c> returns when
/// a virtual node (the real firmware core, booted from the fixture's provisioned config) answers at
/// its wake. This class has its own fixture: the wakes here would show in the other tests' ledgers.
/// </summary>
public sealed class Downlink_Tests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    /// <summary>One wake of a node booted from the fixture's config file (cold start: it connects and uploads).</summary>
    private async Task WakeNodeAsync(string site, string device, string type)
    {
        var sim = new SimulationClock(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds(), 60);
        using var node = new VirtualNode(new NodeSpec(site, device, type, await File.ReadAllTextAsync(fx.Configs[device])), sim, new LinkOptions { MaxRealReceiveWaitMs = 1500 });
        await Task.Run(node.Wake);
        Assert.True(node.Uploaded > 0, $"{device} did not upload: {node.Link.LastError}");
    }

    /// <summary>The device's desired revision now (0: none).</summary>
    private async Task<long> DesiredRevAsync(string device)
    {
        var doc = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{device}/config");
        return doc.GetProperty("desired").ValueKind == JsonValueKind.Object ? doc.GetProperty("desired").GetProperty("rev").GetInt64() : 0;
    }

    /// <summary>Waits until the CLI has written a revision after <paramref name="before"/>.</summary>
    private Task NewRevisionAsync(string device, long before) =>
        UntilAsync($"/api/v1/devices/{device}/config", d => d.GetProperty("desired").ValueKind == JsonValueKind.Object && d.GetProperty("desired").GetProperty("rev").GetInt64() > before);

    private async Task UntilAsync(string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!done(await fx.Gateway.Http.GetFromJsonAsync<JsonElement>(path)))
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting on " + path);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Config_wait_returns_once_the_node_has_applied_the_change()
    {
        var before = await DesiredRevAsync("wq-0001");
        var cli = Iotmon.RunAsync(["config", "--device", "wq-0001", "--clear", "--sample-sec", "600", "--threshold", "water.level:above=3.5", "--wait", "2m", .. fx.Key]);
        await NewRevisionAsync("wq-0001", before);
        await WakeNodeAsync("wei-xianyang", "wq-0001", "water");

        var r = await cli;
        Assert.True(r.ExitCode == 0, r.Out + r.Err);
        Assert.Contains("waiting up to", r.Out, StringComparison.Ordinal);
        Assert.Contains("wq-0001: applied", r.Out, StringComparison.Ordinal);
        Assert.Contains($"answered rev {before + 1}  ok", r.Out, StringComparison.Ordinal);

        var shown = await Iotmon.RunAsync(["config", "--device", "wq-0001", .. fx.Key]);
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains($$"""desired  rev {{before + 1}}  {"sampleSec":600,"thresholds":[{"q":"water.level","above":3.5}]}""", shown.Out, StringComparison.Ordinal);

        var devices = await Iotmon.RunAsync(["devices", .. fx.Key]);
        Assert.Contains($"applied r{before + 1}", devices.Out.Split('\n').Single(l => l.Contains("wq-0001", StringComparison.Ordinal)), StringComparison.Ordinal);

        var json = await Iotmon.RunAsync(["config", "--device", "wq-0001", "--json", .. fx.Key]);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("applied", doc.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Command_wait_returns_once_the_node_has_run_it()
    {
        var cli = Iotmon.RunAsync(["command", "--device", "aq-0001", "upload_now", "--wait", "2m", .. fx.Key]);
        await UntilAsync("/api/v1/devices/aq-0001/commands", l => l.EnumerateArray().Any(c => c.GetProperty("cmd").GetString() == "upload_now"));
        await WakeNodeAsync("fenwei-xian", "aq-0001", "air");

        var r = await cli;
        Assert.True(r.ExitCode == 0, r.Out + r.Err);
        Assert.Contains("upload_now  acked", r.Out, StringComparison.Ordinal);

        var list = await Iotmon.RunAsync(["command", "--device", "aq-0001", .. fx.Key]);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("upload_now  acked  by Api:AdminKey", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_the_node_rejects_makes_wait_exit_1_with_the_error_name()
    {
        var before = await DesiredRevAsync("aq-0001");
        var cli = Iotmon.RunAsync(["config", "--device", "aq-0001", "--upload-sec", "1200", "--wait", "2m", .. fx.Key]);
        await NewRevisionAsync("aq-0001", before);
        var rev = before + 1;

        // the node's refusal (err 3, BadValue), sent with the device's own credentials
        var secret = DeviceConfigDocument.Identity(await File.ReadAllTextAsync(fx.Configs["aq-0001"])).Secret;
        await using (var device = await DeviceClient.ConnectAsync(fx.Gateway.MqttPort, "aq-0001", secret))
        {
            await device.PublishAsync("iotmon/v1/fenwei-xian/aq-0001/config/ack", $$"""{"v":1,"rev":{{rev}},"ok":false,"err":3}""");
        }

        var r = await cli;
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("aq-0001: rejected", r.Out, StringComparison.Ordinal);
        Assert.Contains("BadValue (err 3)", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calibrations_from_a_file_go_into_the_overlay_and_can_be_removed()
    {
        var file = Path.Combine(fx.Dir, "visit.json");
        await File.WriteAllTextAsync(file, """[{"sensor":"ph","id":"cal-20261129-ph","kind":"ph","points":[[1.52,7.0],[2.03,4.01]],"tempC":21.5,"at":1764374400}]""");
        var set = await Iotmon.RunAsync(["config", "--device", "aq-0001", "--calibrations", file, "--cal-max-age-days", "45", "--json", .. fx.Key]);
        Assert.True(set.ExitCode == 0, set.Out + set.Err);
        using (var doc = JsonDocument.Parse(set.Out))
        {
            var config = doc.RootElement.GetProperty("desired").GetProperty("config");
            Assert.Equal(45, config.GetProperty("calMaxAgeDays").GetInt32());
            Assert.Equal("cal-20261129-ph", config.GetProperty("calibrations")[0].GetProperty("id").GetString());
        }

        var removed = await Iotmon.RunAsync(["config", "--device", "aq-0001", "--no-calibrations", "--json", .. fx.Key]);
        Assert.Equal(0, removed.ExitCode);
        using (var doc = JsonDocument.Parse(removed.Out))
        {
            var config = doc.RootElement.GetProperty("desired").GetProperty("config");
            Assert.False(config.TryGetProperty("calibrations", out _));
            Assert.Equal(45, config.GetProperty("calMaxAgeDays").GetInt32());
        }

        await File.WriteAllTextAsync(file, """[{"sensor":"ph","id":"x","kind":"ph","points":[[1.52,7.0]]}]""");
        var refused = await Iotmon.RunAsync(["config", "--device", "aq-0001", "--calibrations", file, .. fx.Key]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("calibrations[0].points", refused.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_arguments_exit_2_and_send_nothing()
    {
        var before = (await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0001/commands")).GetArrayLength();

        var clear = await Iotmon.RunAsync(["command", "--device", "wq-0001", "clear_queue", .. fx.Key]);
        Assert.Equal(2, clear.ExitCode);
        Assert.Contains("confirm", clear.Err, StringComparison.Ordinal);

        var unknown = await Iotmon.RunAsync(["command", "--device", "wq-0001", "self_destruct", .. fx.Key]);
        Assert.Equal(2, unknown.ExitCode);

        var range = await Iotmon.RunAsync(["config", "--device", "wq-0001", "--sample-sec", "5", .. fx.Key]);
        Assert.Equal(2, range.ExitCode);
        Assert.Contains("10–86400", range.Err, StringComparison.Ordinal);

        var threshold = await Iotmon.RunAsync(["config", "--device", "wq-0001", "--threshold", "water.level:over=3", .. fx.Key]);
        Assert.Equal(2, threshold.ExitCode);
        Assert.Contains("QUANTITY:above=X", threshold.Err, StringComparison.Ordinal);

        var noDevice = await Iotmon.RunAsync(["command", "--device", "no-such-node", "sample_now", .. fx.Key]);
        Assert.Equal(1, noDevice.ExitCode);
        Assert.Contains("not registered", noDevice.Err, StringComparison.Ordinal);

        Assert.Equal(before, (await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0001/commands")).GetArrayLength());
    }
}
