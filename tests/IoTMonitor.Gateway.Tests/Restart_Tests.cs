using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;
using MQTTnet;

namespace IoTMonitor.Gateway.Tests;

[Collection("influx")]
public sealed class Restart_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task Gateway_killed_with_SIGKILL_mid_stream_and_restarted_still_stores_exactly_N()
    {
        var dataDir = Directory.CreateTempSubdirectory("iotmon-gw-kill-").FullName;
        var database = GatewayHarness.NewDatabase();
        using var gateway = new GatewayProcess(dataDir, FreePort.Next(), FreePort.Next(),
            $"--Storage:Url={influx.Server.Url}", $"--Storage:Database={database}", "--Storage:RetryInitialMs=50",
            "--Registry:RequireAuthentication=false", "--Logging:LogLevel:Default=Warning");
        try
        {
            await gateway.StartAsync();
            const int messages = 2000;
            var acked = new bool[messages];
            var ackedCount = 0;
            var killed = false;

            // Devices behave as the firmware does: a message leaves the queue only on PUBACK; the rest is resent.
            async Task SendAllAsync()
            {
                while (Array.IndexOf(acked, false) >= 0)
                {
                    IMqttClient client;
                    try
                    {
                        client = await GatewayHarness.ConnectDeviceAsync(gateway.MqttPort, "wq-kill", "unused");
                    }
                    catch (Exception)
                    {
                        await Task.Delay(100);
                        continue;
                    }

                    using (client)
                    {
                        var window = new List<Task>();
                        for (var m = 0; m < messages; m++)
                        {
                            if (acked[m])
                            {
                                continue;
                            }

                            var index = m;
                            window.Add(Send(client, index));
                            if (window.Count == 50)
                            {
                                await Task.WhenAll(window);
                                window.Clear();
                                if (!client.IsConnected)
                                {
                                    break;
                                }
                            }
                        }

                        await Task.WhenAll(window);
                    }
                }
            }

            async Task Send(IMqttClient client, int m)
            {
                try
                {
                    var r = await GatewayHarness.PublishAsync(client, Payloads.Topic("site-k", "wq-kill"), Payloads.Batch(1, 1 + (m * 4), Payloads.TimeOf(m)));
                    if (r.IsSuccess)
                    {
                        acked[m] = true;
                        if (Interlocked.Increment(ref ackedCount) == messages * 2 / 5 && !killed)
                        {
                            killed = true;
                            gateway.Kill();
                            _ = Task.Run(async () =>
                            {
                                await Task.Delay(300);
                                await gateway.StartAsync();
                            });
                        }
                    }
                }
                catch (Exception)
                {
                    // connection lost by the kill: resent on the next connection
                }
            }

            await SendAllAsync().WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(killed);
            Assert.Equal(messages * 4, await GatewayHarness.WaitForCountAsync(influx.Server, database, messages * 4, TimeSpan.FromSeconds(30)));
            Assert.Equal(messages, await influx.Server.CountAsync(database, "health", "bat"));
        }
        finally
        {
            gateway.Kill();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
