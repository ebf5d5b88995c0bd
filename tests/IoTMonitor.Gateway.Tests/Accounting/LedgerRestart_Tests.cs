using System.Text.RegularExpressions;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests.Accounting;

/// <summary>The gap ledger across real gateway restarts (docs/gateway.md, "Accounting"): no false gap, real gaps kept.</summary>
[Collection("influx")]
public sealed class LedgerRestart_Tests(InfluxDbFixture influx)
{
    private const string Site = "site-l";
    private const string Device = "wq-ledger";

    [Fact]
    public async Task A_clean_restart_shows_no_false_gap_and_a_real_gap_survives_the_next_one()
    {
        var dataDir = Directory.CreateTempSubdirectory("iotmon-gw-ledger-").FullName;
        var database = GatewayHarness.NewDatabase();
        try
        {
            await using (var gw = await StartAsync(dataDir, database))
            {
                await SendAsync(gw.MqttPort, firstSeq: 1, messages: 10);
                await GatewayHarness.WaitForCountAsync(influx.Server, database, 40, TimeSpan.FromSeconds(20));
                Assert.Equal(40, gw.Service<Ledger>().For(Site, Device).HighestSequence);
            }

            await using (var gw = await StartAsync(dataDir, database))
            {
                await SendAsync(gw.MqttPort, firstSeq: 41, messages: 2);
                var ledger = gw.Service<Ledger>().For(Site, Device);
                Assert.Equal(48, ledger.HighestSequence);
                Assert.Empty(ledger.Gaps);
                Assert.Equal(48, ledger.Readings);

                // 49..59 never sent: a real gap
                await SendAsync(gw.MqttPort, firstSeq: 60, messages: 1);
                Assert.Equal([new(49, 59)], ledger.Gaps);
            }

            await using (var gw = await StartAsync(dataDir, database))
            {
                var ledger = gw.Service<Ledger>().For(Site, Device);
                Assert.Equal([new(49, 59)], ledger.Gaps);
                Assert.Equal(11, ledger.MissingCount);
                Assert.Equal(63, ledger.HighestSequence);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task After_SIGKILL_the_restarted_process_reports_no_false_gap()
    {
        var dataDir = Directory.CreateTempSubdirectory("iotmon-gw-ledger-kill-").FullName;
        var database = GatewayHarness.NewDatabase();
        using var gateway = new GatewayProcess(dataDir, FreePort.Next(), FreePort.Next(),
            $"--Storage:Url={influx.Server.Url}", $"--Storage:Database={database}", "--Storage:RetryInitialMs=50",
            "--Registry:RequireAuthentication=false", "--Api:AdminKey=" + GatewayHarness.AdminKey, "--Gateway:LedgerFlushMs=100",
            "--Logging:LogLevel:Default=Warning");
        try
        {
            await gateway.StartAsync();
            await SendAsync(gateway.MqttPort, firstSeq: 1, messages: 25);
            Assert.Equal(100, await GatewayHarness.WaitForCountAsync(influx.Server, database, 100, TimeSpan.FromSeconds(20)));

            // past a flush interval: the kill loses nothing of the ledger the device was acknowledged for
            await Task.Delay(1000);
            gateway.Kill();
            await gateway.StartAsync();
            await SendAsync(gateway.MqttPort, firstSeq: 101, messages: 1);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") };
            http.DefaultRequestHeaders.Add("X-Api-Key", GatewayHarness.AdminKey);
            var metrics = await GetWhenListeningAsync(http, "/metrics");
            Assert.Equal("104", Metric(metrics, "iotmon_device_highest_sequence"));
            Assert.Equal("0", Metric(metrics, "iotmon_device_missing_readings"));
        }
        finally
        {
            gateway.Kill();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private Task<GatewayHarness> StartAsync(string dataDir, string database) =>
        GatewayHarness.StartAsync(influx.Server, database, dataDir, "--Registry:RequireAuthentication=false");

    private static async Task SendAsync(int port, long firstSeq, int messages)
    {
        using var client = await GatewayHarness.ConnectDeviceAsync(port, Device, "unused");
        for (var m = 0; m < messages; m++)
        {
            var seq = firstSeq + (m * 4);
            var r = await GatewayHarness.PublishAsync(client, Payloads.Topic(Site, Device), Payloads.Batch(1, seq, Payloads.TimeOf(seq)));
            Assert.True(r.IsSuccess, r.ReasonString);
        }
    }

    // the HTTP listener starts after the MQTT one the process start waits for
    private static async Task<string> GetWhenListeningAsync(HttpClient http, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await http.GetStringAsync(path);
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string Metric(string text, string name)
    {
        var m = Regex.Match(text, "^" + name + "\\{site=\"" + Site + "\",device=\"" + Device + "\"\\} (\\S+)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"{name} for {Device} not in /metrics:\n{text}");
        return m.Groups[1].Value;
    }
}
