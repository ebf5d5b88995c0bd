using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Fleet;

namespace IoTMonitor.Cli.Tests;

/// <summary>
/// A cellular node's network (protocol §4 health op, act, rsrp, iccid) reaches the device list: the
/// gateway keeps the latest per device for GET /api/v1/devices, and <c>iotmon devices</c> prints it in
/// its network column. Own fixture (own gateway), so the batch sent here changes no other test's data.
/// </summary>
public sealed class CellularDevices_Tests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task The_device_list_shows_operator_access_technology_rsrp_and_iccid()
    {
        var before = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices");
        Assert.All(before.EnumerateArray(), d => Assert.Equal(JsonValueKind.Null, d.GetProperty("cellular").ValueKind));

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var secret = DeviceConfigDocument.Identity(await File.ReadAllTextAsync(fx.Configs["wq-0001"])).Secret;
        await using (var device = await DeviceClient.ConnectAsync(fx.Gateway.MqttPort, "wq-0001", secret))
        {
            string first = $$"""{"v":1,"fw":"1.0.0","boot":900,"clk":{{now}},"h":{"bat":3.951,"rssi":-79,"qd":1,"drop":0,"rst":2,"op":"CHINA MOBILE","act":7,"rsrp":-97,"iccid":"89860012345678901234"},"r":[[1,{{now - 60}},"water.temp",14.5,0]]}""";
            string second = $$"""{"v":1,"fw":"1.0.0","boot":900,"clk":{{now}},"h":{"bat":3.950,"rssi":-81,"qd":0,"drop":0,"rst":2,"op":"CHINA MOBILE","act":7,"rsrp":-101},"r":[[2,{{now - 30}},"water.temp",14.6,0]]}""";
            await device.PublishAsync("iotmon/v1/wei-xianyang/wq-0001/telemetry", first);
            await device.PublishAsync("iotmon/v1/wei-xianyang/wq-0001/telemetry", second);
        }

        JsonElement cellular = default;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var list = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices");
            cellular = list.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "wq-0001").GetProperty("cellular");
            if (cellular.ValueKind == JsonValueKind.Object && cellular.GetProperty("rsrp").GetInt64() == -101)
            {
                break;
            }

            await Task.Delay(100);
        }

        // The second batch has no iccid: the one from the first batch is kept.
        Assert.Equal(JsonValueKind.Object, cellular.ValueKind);
        Assert.Equal("CHINA MOBILE", cellular.GetProperty("operator").GetString());
        Assert.Equal(7, cellular.GetProperty("act").GetInt64());
        Assert.Equal(-101, cellular.GetProperty("rsrp").GetInt64());
        Assert.Equal("89860012345678901234", cellular.GetProperty("iccid").GetString());

        var r = await Iotmon.RunAsync(["devices", "--site", "wei-xianyang", .. fx.Key]);
        Assert.Equal(0, r.ExitCode);
        // Only wq-0001 is listed (--site), so its cells may wrap over several lines of the table.
        foreach (var part in new[] { "wq-0001", "CHINA", "LTE", "-101", "8986" })
        {
            Assert.Contains(part, r.Out, StringComparison.Ordinal);
        }

        // The air node is on Wi-Fi: no network column content.
        Assert.Equal(JsonValueKind.Null, (await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices")).EnumerateArray().Single(d => d.GetProperty("id").GetString() == "aq-0001").GetProperty("cellular").ValueKind);
    }
}
