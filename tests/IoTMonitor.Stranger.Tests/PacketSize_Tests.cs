using System.Net.Sockets;
using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>
/// An MQTT packet announces its size in its fixed header, up to 268,435,455 bytes (MQTT 3.1.1 §2.2.3,
/// MQTT 5.0 §1.5.5). MQTTnet 5.2 allocates the whole body from that announcement before reading it
/// (MqttChannelAdapter.ReceiveAsync), so anyone who can open a TCP connection could make the gateway
/// reserve 256 MB per connection, before any login. The embedded broker closes a connection as soon as
/// its next packet announces more than <c>Mqtt:MaxPacketBytes</c>, counts and dead-letters it.
/// </summary>
[Collection("stranger")]
public sealed class PacketSize_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task A_packet_announcing_more_than_the_limit_closes_the_connection_at_once()
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        var secret = await gw.EnrolAsync("site-ps", "dev-ps");

        // a CONNECT announcing the largest remaining length MQTT allows, then a trickle of body bytes
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", gw.MqttPort);
            var stream = tcp.GetStream();
            await stream.WriteAsync(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x04 });
            Assert.True(await ClosedWithinAsync(stream, TimeSpan.FromSeconds(10)), "the gateway kept a connection that announced a 256 MB packet");
        }

        Assert.Equal(1, await gw.MetricAsync("iotmon_mqtt_packets_too_large_total"));
        var deadLetter = await gw.WaitDeadLetterAsync("too_large", TimeSpan.FromSeconds(10));
        Assert.True(deadLetter is not null, "no dead letter too_large for the oversized CONNECT");
        Assert.Contains("268435455", deadLetter, StringComparison.Ordinal);

        // a logged-in device publishing a 100 kB message: its connection is closed, nothing stored
        var huge = Mosquitto.Batch(1, 1, Mosquitto.PastTime(0), readings: 2) + new string(' ', 100_000);
        var r = await Mosquitto.PubAsync(gw.MqttPort, "mqttv311", "dev-ps", secret, "dev-ps", "iotmon/v1/site-ps/dev-ps/telemetry", huge);
        Assert.True(r.ExitCode != 0, "mosquitto_pub of a 100 kB packet succeeded: " + r.All);
        Assert.Equal(2, await gw.MetricAsync("iotmon_mqtt_packets_too_large_total"));

        // an MQTT 5 client learns the limit from the CONNACK (Maximum Packet Size) and refuses the publish itself
        var r5 = await Mosquitto.PubAsync(gw.MqttPort, "5", "dev-ps", secret, "dev-ps", "iotmon/v1/site-ps/dev-ps/telemetry", huge);
        // mosquitto_pub 2.0.11 then drops it without a word (exit 0): what shows the announcement worked is
        // that nothing reached the gateway (with MQTTnet's "unlimited" it sent it and lost its connection)
        Assert.True(r5.Stderr.Length == 0, r5.All);
        Assert.Equal(2, await gw.MetricAsync("iotmon_mqtt_packets_too_large_total"));

        // the gateway still serves the same device, in both protocol versions
        foreach (var (version, m) in new[] { ("mqttv311", 0), ("5", 1) })
        {
            var ok = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-ps", secret, "dev-ps", "iotmon/v1/site-ps/dev-ps/telemetry", Mosquitto.Batch(1, 1 + (4 * m), Mosquitto.PastTime(m + 1)));
            Assert.True(ok.ExitCode == 0 && ok.Stderr.Length == 0, ok.All);
        }

        Assert.Equal(8, await gw.WaitStoredAsync("dev-ps", 8, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Many_connections_announcing_huge_packets_do_not_grow_the_gateway()
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        var before = gw.ResidentBytes();

        // 16 connections each announcing 256 MB and sending 16 MB of it: an unguarded broker holds all 256 MB sent
        var clients = new List<TcpClient>();
        try
        {
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 16; i++)
            {
                var tcp = new TcpClient();
                clients.Add(tcp);
                await tcp.ConnectAsync("127.0.0.1", gw.MqttPort);
                var stream = tcp.GetStream();
                try
                {
                    await stream.WriteAsync(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0x7F });
                    for (var k = 0; k < 256; k++)
                    {
                        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        await stream.WriteAsync(chunk, cts.Token);
                    }
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
                {
                    // the gateway closed it (or stopped reading): what a guarded broker does
                }
            }

            var growth = gw.ResidentBytes() - before;
            Assert.True(growth < 128L * 1024 * 1024, $"the gateway grew by {growth / (1024 * 1024)} MB for 16 oversized packets");
            Assert.Equal(16, await gw.MetricAsync("iotmon_mqtt_packets_too_large_total"));
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>True when the peer closes (read returns 0 or the connection resets) within <paramref name="limit"/>.</summary>
    private static async Task<bool> ClosedWithinAsync(NetworkStream stream, TimeSpan limit)
    {
        var buffer = new byte[16];
        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (true)
            {
                if (await stream.ReadAsync(buffer, cts.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
