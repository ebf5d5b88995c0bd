using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.Gateway.Api.Tests.Support;
using IoTMonitor.Gateway.Metering;

namespace IoTMonitor.Gateway.Api.Tests.Metering;

/// <summary>
/// The allocation and no-flow alerts of the default rule pack on a real gateway and influxd: readings
/// sent through MQTT, the metering watch reads the channels' volumes from InfluxDB, the engine opens
/// the alerts; a flowing channel and a larger allocation (a gateway restarted with the new config)
/// resolve them.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class MeteringAlertsApiTests(ApiFixture fixture)
{
    private const double Zero = 0.100;

    [Fact]
    public async Task A_channel_over_its_allocation_and_a_dry_channel_during_its_delivery_raise_alerts_that_resolve_when_the_facts_change()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var start = now - 7200;
        string[] Settings(double allocation) =>
        [
            "--Query:CacheWarmDays=0",
            "--Metering:AlertCheckSeconds=1",
            "--Metering:Sites:tn-1:Device=tn1-level",
            "--Metering:Sites:tn-1:Ratings:0:Id=rating-2ft",
            $"--Metering:Sites:tn-1:Ratings:0:At={start - 86400}",
            "--Metering:Sites:tn-1:Ratings:0:Kind=parshall",
            "--Metering:Sites:tn-1:Ratings:0:Throat=2ft",
            $"--Metering:Sites:tn-1:Ratings:0:Zero={Zero.ToString(CultureInfo.InvariantCulture)}",
            "--Metering:Sites:tn-2:Source=meter",
            "--Metering:Sites:tn-2:Device=tn2-meter",
            "--Metering:Districts:d-5:Channels:ch-1:Sites:0=tn-1",
            $"--Metering:Districts:d-5:Channels:ch-1:Deliveries:0:From={start}",
            $"--Metering:Districts:d-5:Channels:ch-1:Deliveries:0:To={now + 3600}",
            "--Metering:Districts:d-5:Channels:ch-2:Sites:0=tn-2",
            "--Metering:Districts:d-5:Channels:ch-2:Allocations:0:Id=round-3",
            $"--Metering:Districts:d-5:Channels:ch-2:Allocations:0:From={start}",
            $"--Metering:Districts:d-5:Channels:ch-2:Allocations:0:To={now + 86400}",
            $"--Metering:Districts:d-5:Channels:ch-2:Allocations:0:Volume={allocation.ToString(CultureInfo.InvariantCulture)}",
        ];

        await using var gateway = await MeteringGateway.StartAsync(fixture.Influx, Settings(1000));
        var levelSecret = await gateway.EnrolAsync("tn-1", "tn1-level");
        var meterSecret = await gateway.EnrolAsync("tn-2", "tn2-meter");

        // two hours every 5 min: the flume dry (stage at its zero), the meter counting 0.2 m³/s (1440 m³ > 1000 allocated)
        var times = Enumerable.Range(0, 24).Select(i => start + (i * 300L)).ToList();
        await using (var level = await TelemetryPublisher.ConnectAsync(gateway.MqttPort, "tn-1", "tn1-level", levelSecret))
        await using (var meter = await TelemetryPublisher.ConnectAsync(gateway.MqttPort, "tn-2", "tn2-meter", meterSecret))
        {
            foreach (var chunk in times.Chunk(6))
            {
                await level.PublishAsync([.. chunk.Select(t => (t, "water.level", Zero, 0L))]);
                await meter.PublishAsync([.. chunk.Select(t => (t, "flow.total", 500 + (0.2 * (t - start)), 0L))]);
            }
        }

        var over = await WaitForAlertAsync(gateway, "metering.over-allocation", "active");
        Assert.Equal("tn-2", over.GetProperty("site").GetString());
        Assert.Equal("channel:d-5/ch-2", over.GetProperty("device").GetString());
        Assert.InRange(over.GetProperty("value").GetDouble(), 0.2 * (times[^1] - start) - 0.01, 0.2 * (times[^1] - start) + 0.01);
        Assert.Contains("of 1000 m³ allocated", over.GetProperty("trend").GetString(), StringComparison.Ordinal);

        var dry = await WaitForAlertAsync(gateway, "metering.no-flow", "active");
        Assert.Equal("tn-1", dry.GetProperty("site").GetString());
        Assert.Equal("channel:d-5/ch-1", dry.GetProperty("device").GetString());
        Assert.Equal(0, dry.GetProperty("value").GetDouble());
        Assert.True(gateway.Service<MeteringWatch>().Checks > 0);
        var metrics = await gateway.Http.GetStringAsync("/metrics");
        Assert.Contains("iotmon_metering_alert_checks_total ", metrics, StringComparison.Ordinal);
        Assert.Contains("iotmon_metering_alert_check_failures_total 0", metrics, StringComparison.Ordinal);

        // water reaches the flume: 0.2 m of head over the last 25 min
        await using (var level = await TelemetryPublisher.ConnectAsync(gateway.MqttPort, "tn-1", "tn1-level", levelSecret))
        {
            level.Boot = 2;
            var recent = Enumerable.Range(0, 6).Select(i => now - 1500 + (i * 300L)).ToList();
            await level.PublishAsync([.. recent.Select(t => (t, "water.level", Zero + 0.2, 0L))]);
        }

        var flowing = await WaitForAlertAsync(gateway, "metering.no-flow", "resolved");
        Assert.True(flowing.GetProperty("value").GetDouble() > 0.001, flowing.ToString());

        // the district grants more water: the gateway restarts with the new allocation, the alert resolves
        await gateway.RestartWithAsync(Settings(5000));
        await WaitForAlertAsync(gateway, "metering.over-allocation", "resolved");
    }

    private static async Task<JsonElement> WaitForAlertAsync(MeteringGateway gateway, string rule, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var text = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await gateway.Http.GetAsync($"/api/v1/alerts?rule={rule}&state={state}");
            text = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.GetArrayLength() > 0)
                {
                    return doc.RootElement[0].Clone();
                }
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"no {state} alert of {rule} within 60 s: {text}");
    }
}
