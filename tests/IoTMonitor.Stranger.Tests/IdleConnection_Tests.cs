using System.Net.Sockets;
using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>
/// A TCP connection that never sends CONNECT costs the broker a socket and its buffers. MQTTnet 5.2 waits
/// for the first packet for its DefaultCommunicationTimeout, 100 s by default (MqttServerOptions,
/// MqttClientSessionsManager.ReceiveConnectPacket), so a few thousand idle connections a minute (a
/// slowloris) hold the gateway's descriptors. The embedded broker gives a connection
/// <c>Mqtt:ConnectTimeoutSeconds</c> (default 30; 10 here) to deliver its CONNECT and keeps at most
/// <c>Mqtt:MaxPendingConnectionsPerAddress</c> (64) and <c>Mqtt:MaxPendingConnections</c> (512) waiting
/// for one, closing the oldest waiting connection when a new one would exceed a cap.
/// </summary>
[Collection("stranger")]
public sealed class IdleConnection_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task Idle_connections_are_cut_at_the_connect_deadline_and_a_device_still_publishes()
    {
        using var gw = new StrangerGateway(influx.Server, "--Mqtt:ConnectTimeoutSeconds=10");
        await gw.StartAsync();
        var secret = await gw.EnrolAsync("site-idle", "dev-idle");
        const int Idle = 300;
        var idle = await OpenIdleAsync(gw.MqttPort, Idle);
        try
        {
            // all from one address: at most the per-address cap (64) still open, the older ones closed at once
            await Task.Delay(500);
            var open = idle.Count(IsOpen);
            Assert.True(open <= 64, $"{open} of {Idle} connections without CONNECT are still open (cap 64 per address)");

            // a real device connects and publishes meanwhile, in both protocol versions
            foreach (var (version, m) in new[] { ("mqttv311", 0), ("5", 1) })
            {
                var r = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-idle", secret, "dev-idle", "iotmon/v1/site-idle/dev-idle/telemetry", Mosquitto.Batch(1, 1 + (4 * m), Mosquitto.PastTime(m)));
                Assert.True(r.ExitCode == 0 && r.Stderr.Length == 0, r.All);
            }

            Assert.Equal(8, await gw.WaitStoredAsync("dev-idle", 8, TimeSpan.FromSeconds(20)));

            // the rest are cut at the 10 s deadline (plus the check's period)
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (idle.Any(IsOpen) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }

            Assert.True(!idle.Any(IsOpen), $"{idle.Count(IsOpen)} connections without CONNECT still open 20 s later (deadline 10 s)");
            var evicted = await gw.MetricAsync("iotmon_mqtt_pending_evictions_total");
            var timedOut = await gw.MetricAsync("iotmon_mqtt_connect_timeouts_total");
            Assert.True(evicted >= Idle - 64, $"evictions {evicted}");
            Assert.Equal(Idle, evicted + timedOut);
            Assert.Equal(0, await gw.MetricAsync("iotmon_mqtt_pending_connections"));
            Assert.Contains("without CONNECT", gw.Log, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var c in idle)
            {
                c.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_total_cap_and_a_short_deadline_are_configurable()
    {
        using var gw = new StrangerGateway(influx.Server, "--Mqtt:ConnectTimeoutSeconds=2", "--Mqtt:MaxPendingConnections=20");
        await gw.StartAsync();
        var secret = await gw.EnrolAsync("site-idle2", "dev-idle2");
        var idle = await OpenIdleAsync(gw.MqttPort, 50);
        try
        {
            await Task.Delay(500);
            var open = idle.Count(IsOpen);
            Assert.True(open <= 20, $"{open} of 50 connections without CONNECT are still open (cap 20)");

            // a CONNECT trickled in a byte at a time is still held to the deadline as a whole
            using var slow = new TcpClient();
            await slow.ConnectAsync("127.0.0.1", gw.MqttPort);
            var started = DateTime.UtcNow;
            var connect = new byte[] { 0x10, 0x10, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x04, (byte)'s', (byte)'l', (byte)'o', (byte)'w' };
            foreach (var b in connect[..^1])
            {
                if (!IsOpen(slow))
                {
                    break;
                }

                try
                {
                    await slow.GetStream().WriteAsync(new[] { b });
                }
                catch (IOException)
                {
                    break;
                }

                await Task.Delay(250);
            }

            var waited = DateTime.UtcNow - started;
            Assert.False(IsOpen(slow), $"a CONNECT trickled over {waited.TotalSeconds:F1} s is still being waited for (deadline 2 s)");

            var r = await Mosquitto.PubAsync(gw.MqttPort, "5", "dev-idle2", secret, "dev-idle2", "iotmon/v1/site-idle2/dev-idle2/telemetry", Mosquitto.Batch(1, 1, Mosquitto.PastTime(0)));
            Assert.True(r.ExitCode == 0 && r.Stderr.Length == 0, r.All);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (idle.Any(IsOpen) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.True(!idle.Any(IsOpen), $"{idle.Count(IsOpen)} connections without CONNECT still open 10 s later (deadline 2 s)");
            Assert.Equal(4, await gw.WaitStoredAsync("dev-idle2", 4, TimeSpan.FromSeconds(20)));
            Assert.True(await gw.MetricAsync("iotmon_mqtt_pending_evictions_total") >= 30);
            Assert.True(await gw.MetricAsync("iotmon_mqtt_connect_timeouts_total") >= 1);
        }
        finally
        {
            foreach (var c in idle)
            {
                c.Dispose();
            }
        }
    }

    private static async Task<List<TcpClient>> OpenIdleAsync(int port, int count)
    {
        var clients = new List<TcpClient>(count);
        for (var i = 0; i < count; i++)
        {
            var tcp = new TcpClient();
            clients.Add(tcp);
            await tcp.ConnectAsync("127.0.0.1", port);
        }

        return clients;
    }

    /// <summary>False once the gateway closed the connection (readable with nothing to read: end of stream, or reset).</summary>
    private static bool IsOpen(TcpClient tcp)
    {
        try
        {
            var s = tcp.Client;
            return !(s.Poll(0, SelectMode.SelectRead) && s.Available == 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }
}
