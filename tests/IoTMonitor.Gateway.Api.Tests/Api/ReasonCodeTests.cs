using IoTMonitor.Gateway.Api.Tests.Support;

namespace IoTMonitor.Gateway.Api.Tests.Api;

/// <summary>
/// Status reasons come as stable codes with their facts (<c>reasonCodes</c>) beside the English lines
/// (<c>reasons</c>, unchanged), so a reader words them in its own language without parsing English.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class ReasonCodeTests(ApiFixture fixture)
{
    [Fact]
    public async Task Sites_and_devices_carry_reason_codes_beside_the_English_reasons()
    {
        await using var host = await GatewayHost.StartAsync(fixture.Influx);
        await host.AddSiteAsync("quiet-site", 36.1, 103.8, "Yellow River", "river", "qs-1");
        await host.AdminAsync(HttpMethod.Put, "/api/v1/sites/empty-site", new { name = "Empty", lat = 36.2, lon = 103.9, basin = "Yellow River", type = "river" });
        var key = await host.CreateKeyAsync("desk", "viewer");

        var (status, body, text) = await host.GetAsync("/api/v1/sites", key);
        Assert.True(status == 200, text);
        var sites = body!.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);

        var quiet = sites["quiet-site"];
        Assert.Equal("qs-1: never heard", quiet.GetProperty("reasons")[0].GetString());
        var code = quiet.GetProperty("reasonCodes")[0];
        Assert.Equal("never_heard", code.GetProperty("code").GetString());
        Assert.Equal("qs-1", code.GetProperty("device").GetString());
        Assert.False(code.TryGetProperty("volts", out _)); // facts that do not apply are left out

        var empty = sites["empty-site"];
        Assert.Equal("no device", empty.GetProperty("reasons")[0].GetString());
        Assert.Equal("no_device", empty.GetProperty("reasonCodes")[0].GetProperty("code").GetString());

        var (_, detail, _) = await host.GetAsync("/api/v1/sites/quiet-site", key);
        var device = detail!.RootElement.GetProperty("devices")[0];
        Assert.Equal("never_heard", device.GetProperty("reasonCodes")[0].GetProperty("code").GetString());
        Assert.Equal("never_heard", detail.RootElement.GetProperty("site").GetProperty("reasonCodes")[0].GetProperty("code").GetString());
    }
}
