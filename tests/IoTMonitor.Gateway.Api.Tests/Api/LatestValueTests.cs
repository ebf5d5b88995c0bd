using System.Text.Json;
using IoTMonitor.Gateway.Api.Tests.Support;

namespace IoTMonitor.Gateway.Api.Tests.Api;

/// <summary>
/// <c>GET /api/v1/latest</c> carries what a technician needs to calibrate on site: the reading's
/// uncalibrated <c>raw</c> value and the batch's calibration id, from the stream and, after a
/// restart, from InfluxDB.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class LatestValueTests(ApiFixture fixture)
{
    [Fact]
    public async Task Latest_values_carry_raw_and_calibration_id_and_keep_them_across_a_restart()
    {
        string database;
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        await using (var host = await GatewayHost.StartAsync(fixture.Influx))
        {
            database = host.Database;
            var secrets = await host.AddSiteAsync("cal-site", 34.3, 108.9, "wei", "river", "ph-01");
            await using var node = await TelemetryPublisher.ConnectAsync(host.MqttPort, "cal-site", "ph-01", secrets["ph-01"]);
            await node.PublishJsonAsync(
                $$"""{"v":1,"fw":"1.0.0","boot":1,"clk":{{t + 60}},"cal":"cal-20261129-ph","h":{"bat":3.9,"rssi":-67,"qd":0,"drop":0,"rst":2},"r":[[1,{{t}},"water.ph",6.98,0,1.5213],[2,{{t}},"water.temp",18.4,0]]}""");

            var ph = await WaitForLatestAsync(host, "ph-01", "water.ph");
            Assert.Equal(1.5213, ph.GetProperty("raw").GetDouble());
            Assert.Equal("cal-20261129-ph", ph.GetProperty("cal").GetString());
            var temp = await WaitForLatestAsync(host, "ph-01", "water.temp");
            Assert.Equal(JsonValueKind.Null, temp.GetProperty("raw").ValueKind);
            Assert.Equal("cal-20261129-ph", temp.GetProperty("cal").GetString());
            await WaitUntilStoredAsync(database, "water", 2);
        }

        // a new gateway on the same database fills its cache from InfluxDB
        await using var restarted = await GatewayHost.StartAsync(fixture.Influx, $"--Storage:Database={database}");
        var warmed = await WaitForLatestAsync(restarted, "ph-01", "water.ph");
        Assert.Equal(6.98, warmed.GetProperty("value").GetDouble());
        Assert.Equal(1.5213, warmed.GetProperty("raw").GetDouble());
        Assert.Equal("cal-20261129-ph", warmed.GetProperty("cal").GetString());
    }

    private async Task WaitUntilStoredAsync(string database, string measurement, long points)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await fixture.Influx.CountAsync(database, measurement, "flags") < points)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{points} {measurement} points never reached InfluxDB");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> WaitForLatestAsync(GatewayHost host, string device, string quantity)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (status, body, text) = await host.GetAsync($"/api/v1/latest?device={device}&quantity={quantity}", GatewayHost.AdminKey);
            Assert.True(status == 200, text);
            var values = body!.RootElement.ValueKind == JsonValueKind.Array ? body.RootElement : body.RootElement.GetProperty("values");
            if (values.GetArrayLength() > 0)
            {
                return values[0].Clone();
            }

            Assert.True(DateTime.UtcNow < deadline, $"no latest {quantity} of {device}: {text}");
            await Task.Delay(100);
        }
    }
}
