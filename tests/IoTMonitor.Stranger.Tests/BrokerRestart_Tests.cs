using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>
/// External mode: Mosquitto (persistence on) restarted in the middle of a burst from re-sending nodes.
/// Every reading the broker acknowledged must be stored: the gateway's subscription is a plain one in a
/// persistent session, which Mosquitto restores with its queued QoS 1 messages (a <c>$share</c>
/// subscription it does not restore, and drops what arrives before the gateway subscribes again).
/// </summary>
[Collection("stranger")]
public sealed class BrokerRestart_Tests(InfluxDbFixture influx)
{
    private static string[] External(MosquittoServer mosquitto, string clientId, params string[] extra) =>
    [
        "--Mqtt:Mode=External",
        "--Mqtt:External:Host=127.0.0.1",
        $"--Mqtt:External:Port={mosquitto.Port}",
        $"--Mqtt:External:ClientId={clientId}",
        .. extra,
    ];

    private static Cli.Running Node(MosquittoServer mosquitto, string site, string device, int messages) =>
        Cli.StartResender("--port", mosquitto.Port.ToString(), "--version", "311", "--site", site, "--device", device, "--client-id", $"{site}/{device}",
            "--messages", messages.ToString(), "--readings", "4", "--rate", "400", "--window", "4", "--deadline-seconds", "60");

    private static async Task RestartMidBurstAsync(MosquittoServer mosquitto, StrangerGateway gw, string device)
    {
        // restart once the burst is under way (readings of the device are arriving at InfluxDB)
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await gw.StoredAsync(device) < 400 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        mosquitto.Stop();
        await Task.Delay(3000); // down for a while, as a broker restart or upgrade takes: the clients' back-off grows
        await mosquitto.StartAsync();
    }

    [Fact]
    public async Task One_replica_on_a_plain_subscription_stores_every_acknowledged_reading_across_a_broker_restart()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync("max_inflight_messages 1000\nmax_queued_messages 1000000");
        using var gw = new StrangerGateway(influx.Server, External(mosquitto, "gw-single", "--Mqtt:External:SharedGroup="));
        await gw.StartAsync();
        await gw.EnrolAsync("site-m", "dev-m");
        await Task.Delay(500); // subscribed

        const int Messages = 2000;
        var node = Node(mosquitto, "site-m", "dev-m", Messages);
        await RestartMidBurstAsync(mosquitto, gw, "dev-m");
        var sent = await node.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(sent.ExitCode == 0, sent.All);
        Assert.Equal(Messages * 4L, await gw.WaitStoredAsync("dev-m", Messages * 4L, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Two_replicas_on_disjoint_site_partitions_store_every_acknowledged_reading_across_a_broker_restart()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync("max_inflight_messages 1000\nmax_queued_messages 1000000");
        using var one = new StrangerGateway(influx.Server, External(mosquitto, "gw-r1", "--Mqtt:External:SharedGroup=", "--Mqtt:External:TopicFilter=iotmon/v1/site-r1/+/telemetry"));
        await one.StartAsync();
        using var two = new StrangerGateway(influx.Server, External(mosquitto, "gw-r2", "--Mqtt:External:SharedGroup=", "--Mqtt:External:TopicFilter=iotmon/v1/site-r2/+/telemetry"));
        await two.StartAsync();
        await one.EnrolAsync("site-r1", "dev-r1");
        await two.EnrolAsync("site-r2", "dev-r2");
        await Task.Delay(500);

        const int Messages = 1000;
        var n1 = Node(mosquitto, "site-r1", "dev-r1", Messages);
        var n2 = Node(mosquitto, "site-r2", "dev-r2", Messages);
        await RestartMidBurstAsync(mosquitto, one, "dev-r1");
        foreach (var n in new[] { n1, n2 })
        {
            var sent = await n.WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(sent.ExitCode == 0, sent.All);
        }

        Assert.Equal(Messages * 4L, await one.WaitStoredAsync("dev-r1", Messages * 4L, TimeSpan.FromSeconds(30)));
        Assert.Equal(Messages * 4L, await two.WaitStoredAsync("dev-r2", Messages * 4L, TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await one.StoredAsync("dev-r2")); // each replica its own partition (own database)
        Assert.Equal(0, await two.StoredAsync("dev-r1"));
    }
}
