using System.Text.Json;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests;

public sealed class InfluxOutage_Tests
{
    [Fact]
    public async Task InfluxDB_stopped_for_a_while_then_restarted_gets_every_reading()
    {
        using var influx = await InfluxDbServer.StartNewAsync();
        await using var gw = await GatewayHarness.StartAsync(influx, extra: "--Registry:RequireAuthentication=false");
        using var client = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-out", "x");
        var topic = Payloads.Topic("site-o", "wq-out");
        for (var m = 0; m < 100; m++)
        {
            Assert.True((await GatewayHarness.PublishAsync(client, topic, Payloads.Batch(1, 1 + (m * 4), Payloads.TimeOf(m)))).IsSuccess);
        }

        Assert.Equal(400, await GatewayHarness.WaitForCountAsync(influx, gw.Database, 400, TimeSpan.FromSeconds(20)));
        influx.Stop();

        // while InfluxDB is away the gateway still acknowledges: the WAL holds the readings
        for (var m = 100; m < 300; m++)
        {
            Assert.True((await GatewayHarness.PublishAsync(client, topic, Payloads.Batch(1, 1 + (m * 4), Payloads.TimeOf(m)))).IsSuccess);
        }

        await ZeroLoss_Tests.WaitUntil(() => !gw.Service<InfluxWriter>().Reachable);
        var response = await gw.Http.GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using (var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.False(doc.RootElement.GetProperty("influx").GetProperty("reachable").GetBoolean());
            Assert.True(doc.RootElement.GetProperty("wal").GetProperty("pendingRecords").GetInt64() > 0);
        }

        await Task.Delay(1500);
        await influx.StartAsync();

        Assert.Equal(1200, await GatewayHarness.WaitForCountAsync(influx, gw.Database, 1200, TimeSpan.FromSeconds(30)));
        var c = gw.Service<Ledger>().Counters;
        Assert.True(GatewayCounters.Read(ref c.InfluxWriteErrors) > 0);
        await ZeroLoss_Tests.WaitUntil(() => gw.Service<WriteAheadLog>().PendingRecords == 0);
    }
}
