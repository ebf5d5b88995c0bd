using System.Net;
using System.Text.Json;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests;

/// <summary>The /health contract of docs/gateway.md, built from one health check per stage.</summary>
public sealed class Health_Tests
{
    [Fact]
    public async Task Health_has_each_stages_figures_and_turns_degraded_with_the_reason_when_a_stage_fails()
    {
        using var influx = await InfluxDbServer.StartNewAsync();
        await using var gw = await GatewayHarness.StartAsync(influx, extra: "--Registry:RequireAuthentication=false");
        using var client = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-h", "x");
        Assert.True((await GatewayHarness.PublishAsync(client, Payloads.Topic("site-h", "wq-h"), Payloads.Batch(1, 1, Payloads.TimeOf(0)))).IsSuccess);
        Assert.Equal(4, await GatewayHarness.WaitForCountAsync(influx, gw.Database, 4, TimeSpan.FromSeconds(20)));

        using (var response = await gw.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = doc.RootElement;
            Assert.Equal("ok", root.GetProperty("status").GetString());
            Assert.Equal(0, root.GetProperty("warnings").GetArrayLength());
            var broker = root.GetProperty("broker");
            Assert.Equal("embedded", broker.GetProperty("mode").GetString());
            Assert.True(broker.GetProperty("connected").GetBoolean());
            Assert.True(broker.GetProperty("clients").GetInt32() >= 1);
            var wal = root.GetProperty("wal");
            foreach (var figure in new[] { "pendingRecords", "bytes", "maxBytes", "segments", "replayed", "truncatedBytes" })
            {
                Assert.True(wal.GetProperty(figure).GetInt64() >= 0, figure);
            }

            Assert.True(wal.GetProperty("maxBytes").GetInt64() > 0);
            Assert.False(wal.TryGetProperty("warnings", out _)); // warnings are lifted to the top
            var db = root.GetProperty("influx");
            Assert.True(db.GetProperty("reachable").GetBoolean());
            Assert.StartsWith("1.", db.GetProperty("version").GetString());
            Assert.True(db.GetProperty("v1Compat").GetBoolean()); // Debian's 1.6 has no v2 write API
            Assert.NotEqual(JsonValueKind.Null, db.GetProperty("lastWrite").ValueKind);
            Assert.Equal(JsonValueKind.Null, db.GetProperty("lastError").ValueKind);
            Assert.Equal(0, root.GetProperty("deadLetters").GetProperty("added").GetInt64());
            Assert.Equal(0, root.GetProperty("deadLetters").GetProperty("dropped").GetInt64());
        }

        influx.Stop();
        Assert.True((await GatewayHarness.PublishAsync(client, Payloads.Topic("site-h", "wq-h"), Payloads.Batch(1, 5, Payloads.TimeOf(1)))).IsSuccess);
        string? text = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await gw.Http.GetAsync("/health");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                text = await response.Content.ReadAsStringAsync();
                break;
            }

            await Task.Delay(200);
        }

        Assert.NotNull(text);
        using (var doc = JsonDocument.Parse(text))
        {
            var root = doc.RootElement;
            Assert.Equal("degraded", root.GetProperty("status").GetString());
            Assert.False(root.GetProperty("influx").GetProperty("reachable").GetBoolean());
            Assert.NotEqual(JsonValueKind.Null, root.GetProperty("influx").GetProperty("lastError").ValueKind);
            var warning = Assert.Single(root.GetProperty("warnings").EnumerateArray()).GetString();
            Assert.StartsWith("InfluxDB unreachable: ", warning);
            Assert.True(root.GetProperty("broker").GetProperty("connected").GetBoolean());
        }
    }
}
