using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.EndToEnd.Tests.Support;

namespace IoTMonitor.Cli.Tests;

/// <summary>iotmon against a running gateway prints what the API holds.</summary>
public sealed class AgainstGateway_Tests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Devices_lists_every_registered_device_with_its_site()
    {
        var api = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices");
        var r = await Iotmon.RunAsync(["devices", .. fx.Key]);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"{api.GetArrayLength()} device(s)", r.Out, StringComparison.Ordinal);
        foreach (var d in api.EnumerateArray())
        {
            var line = r.Out.Split('\n').Single(l => l.Contains(d.GetProperty("id").GetString()!, StringComparison.Ordinal));
            Assert.Contains(d.GetProperty("site").GetString()!, line, StringComparison.Ordinal);
            Assert.Contains(d.GetProperty("battery").GetDouble().ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Devices_json_is_the_api_document()
    {
        var api = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices");
        var r = await Iotmon.RunAsync(["devices", "--json", .. fx.Key]);
        Assert.Equal(0, r.ExitCode);
        using var printed = JsonDocument.Parse(r.Out);
        Assert.Equal(api.GetArrayLength(), printed.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Query_prints_the_newest_values_the_api_holds()
    {
        var api = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/latest?site=wei-xianyang");
        Assert.True(api.GetArrayLength() >= 5, "the water node's values are not in the cache");
        var r = await Iotmon.RunAsync(["query", "--site", "wei-xianyang", .. fx.Key]);

        Assert.Equal(0, r.ExitCode);
        foreach (var v in api.EnumerateArray())
        {
            var q = v.GetProperty("quantity").GetString()!;
            var line = r.Out.Split('\n').Single(l => l.Contains(" " + q + " ", StringComparison.Ordinal));
            var value = v.GetProperty("value");
            var expected = value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("G6", System.Globalization.CultureInfo.InvariantCulture) : "null"; // a NO_VALUE reading
            Assert.Contains(expected, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Query_series_prints_the_windows_the_api_returns()
    {
        var path = "/api/v1/series?quantity=water.temp&site=wei-xianyang&window=1h&agg=max";
        var api = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>(path);
        var points = api.GetProperty("series").EnumerateArray().Sum(s => s.GetProperty("points").GetArrayLength());
        Assert.True(points > 0);
        var r = await Iotmon.RunAsync(["query", "--quantity", "water.temp", "--site", "wei-xianyang", "--window", "1h", "--agg", "max", "--from", "24h", .. fx.Key]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("water.temp (°C), max per 1h", r.Out, StringComparison.Ordinal);
        Assert.Equal(points, r.Out.Split('\n').Count(l => l.Contains("wq-0001", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Export_writes_the_api_csv_to_a_file()
    {
        var file = Path.Combine(fx.Dir, "export.csv");
        var r = await Iotmon.RunAsync(["export", "--site", "wei-xianyang", "--from", "24h", "--out", file, .. fx.Key]);
        Assert.True(r.ExitCode == 0, r.Err);
        var lines = (await File.ReadAllLinesAsync(file)).Where(l => l.Length > 0).ToList();
        var stored = (await Counts.PerDeviceAsync(fx.Influx, fx.Gateway.Database))["wq-0001"];
        Assert.Equal(stored, lines.Count - 1); // header + one row per stored reading
        Assert.Contains($"wrote {stored} reading(s)", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_prints_the_api_list()
    {
        var api = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/alerts?cleared=true");
        var r = await Iotmon.RunAsync(["alerts", "--all", .. fx.Key]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"{api.GetArrayLength()} alert(s)", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_passes_a_reporting_node_and_writes_the_report()
    {
        var report = Path.Combine(fx.Dir, "check-wq.md");
        var r = await Iotmon.RunAsync(["check", "--device", "wq-0001", "--config", fx.Configs["wq-0001"], "--out", report, .. fx.Key]);
        Assert.True(r.ExitCode == 0, r.Out + r.Err);
        var text = await File.ReadAllTextAsync(report);
        Assert.Contains("result: **PASSED**", text, StringComparison.Ordinal);
        foreach (var q in new[] { "water.ph", "water.temp", "water.do", "device.battery" })
        {
            Assert.Contains($"| probe {q} |", text, StringComparison.Ordinal);
        }

        Assert.Contains("| WiFi RSSI |", text, StringComparison.Ordinal);
        Assert.Contains("| clock sync |", text, StringComparison.Ordinal);
        Assert.Contains("| wake cost (estimate) |", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_of_an_unknown_device_fails_with_exit_5()
    {
        var report = Path.Combine(fx.Dir, "check-none.md");
        var r = await Iotmon.RunAsync(["check", "--device", "no-such-node", "--out", report, .. fx.Key]);
        Assert.Equal(5, r.ExitCode);
        Assert.Contains("| registered | no |", await File.ReadAllTextAsync(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_api_key_is_a_clear_error()
    {
        var r = await Iotmon.RunAsync("devices", "--gateway", fx.Gateway.Url, "--api-key", "wrong-key-0123456789");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("refused the API key", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provisioning_an_existing_device_again_is_refused_clearly()
    {
        var r = await Iotmon.RunAsync(["provision", .. fx.Key, "--site", "wei-xianyang", "--device", "wq-0001", "--type", "water", "--out", Path.Combine(fx.Dir, "again.json")]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("already registered", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fx.Dir, "again.json")));
    }

    [Fact]
    public async Task Forwarding_prints_the_platform_status_the_api_holds()
    {
        var api = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/forwarding/hj212");
        var json = await Iotmon.RunAsync(["forwarding", "--json", .. fx.Key]);
        var text = await Iotmon.RunAsync(["forwarding", .. fx.Key]);

        Assert.Equal((0, 0), (json.ExitCode, text.ExitCode));
        using var printed = JsonDocument.Parse(json.Out);
        Assert.Equal(api.GetProperty("platforms").GetArrayLength(), printed.RootElement.GetProperty("platforms").GetArrayLength());

        // the fixture's gateway forwards to no platform
        Assert.Equal(0, api.GetProperty("platforms").GetArrayLength());
        Assert.Contains("no HJ 212 platform configured", text.Out, StringComparison.Ordinal);
        Assert.Contains("no SL 651 platform configured", text.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/forwarding/sl651")).GetProperty("platforms").GetArrayLength());
    }
}
