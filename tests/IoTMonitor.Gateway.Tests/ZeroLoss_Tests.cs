using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests;

[Collection("influx")]
public sealed class ZeroLoss_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task N_readings_in_gives_exactly_N_points_in_InfluxDB()
    {
        await using var gw = await GatewayHarness.StartAsync(influx.Server);
        const int devices = 4, messagesPerDevice = 250, readingsPerMessage = 4;
        var secrets = new Dictionary<string, string>();
        for (var d = 0; d < devices; d++)
        {
            secrets[$"wq-{d}"] = await gw.EnrolAsync("site-a", $"wq-{d}");
        }

        await Task.WhenAll(secrets.Select(async kv =>
        {
            using var client = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, kv.Key, kv.Value);
            var pending = new List<Task>();
            for (var m = 0; m < messagesPerDevice; m++)
            {
                var payload = Payloads.Batch(boot: 1, firstSeq: 1 + (m * readingsPerMessage), t: Payloads.TimeOf(m));
                pending.Add(GatewayHarness.PublishAsync(client, Payloads.Topic("site-a", kv.Key), payload).ContinueWith(t => Assert.True(t.Result.IsSuccess, t.Result.ReasonCode.ToString()), TaskScheduler.Default));
            }

            await Task.WhenAll(pending);
        }));

        const long expected = devices * messagesPerDevice * readingsPerMessage;
        Assert.Equal(expected, await GatewayHarness.WaitForCountAsync(influx.Server, gw.Database, expected, TimeSpan.FromSeconds(30)));
        Assert.Equal(devices * messagesPerDevice, await influx.Server.CountAsync(gw.Database, "health", "bat"));
        var c = gw.Service<Ledger>().Counters;
        Assert.Equal(devices * messagesPerDevice, GatewayCounters.Read(ref c.MessagesDurable));
        Assert.Equal(expected, GatewayCounters.Read(ref c.ReadingsDurable));
        Assert.Equal(0, GatewayCounters.Read(ref c.Duplicates));
        Assert.Equal(0, GatewayCounters.Read(ref c.MessagesInvalid));
        Assert.All(gw.Service<Ledger>().Devices, d => Assert.Equal(messagesPerDevice * readingsPerMessage, d.HighestSequence));
    }

    [Fact]
    public async Task The_same_message_delivered_twice_is_one_point_and_counted_as_duplicates()
    {
        await using var gw = await GatewayHarness.StartAsync(influx.Server);
        var secret = await gw.EnrolAsync("site-b", "wq-dup");
        using var client = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-dup", secret);
        var payload = Payloads.Batch(boot: 3, firstSeq: 1, t: Payloads.TimeOf(1));

        Assert.True((await GatewayHarness.PublishAsync(client, Payloads.Topic("site-b", "wq-dup"), payload)).IsSuccess);
        Assert.True((await GatewayHarness.PublishAsync(client, Payloads.Topic("site-b", "wq-dup"), payload)).IsSuccess);

        Assert.Equal(4, await GatewayHarness.WaitForCountAsync(influx.Server, gw.Database, 4, TimeSpan.FromSeconds(20)));
        var c = gw.Service<Ledger>().Counters;
        await WaitUntil(() => GatewayCounters.Read(ref c.PointsWritten) >= 10);
        Assert.Equal(4, GatewayCounters.Read(ref c.Duplicates));
        Assert.Equal(10, GatewayCounters.Read(ref c.PointsWritten)); // both copies written, InfluxDB kept one
        Assert.Equal(4, await influx.Server.CountAsync(gw.Database, "water", "seq"));
    }

    [Fact]
    public async Task Gaps_in_the_sequence_are_reported_and_filled_by_late_readings()
    {
        await using var gw = await GatewayHarness.StartAsync(influx.Server);
        var secret = await gw.EnrolAsync("site-g", "wq-gap");
        using var client = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-gap", secret);
        var topic = Payloads.Topic("site-g", "wq-gap");
        await GatewayHarness.PublishAsync(client, topic, Payloads.Batch(5, 1, Payloads.TimeOf(1)));
        await GatewayHarness.PublishAsync(client, topic, Payloads.Batch(5, 13, Payloads.TimeOf(4)));
        var ledger = gw.Service<Ledger>().For("site-g", "wq-gap");
        Assert.Equal([new SequenceGap(5, 12)], ledger.Gaps);

        await GatewayHarness.PublishAsync(client, topic, Payloads.Batch(5, 5, Payloads.TimeOf(2)));
        Assert.Equal([new SequenceGap(9, 12)], ledger.Gaps);
        Assert.Equal(16, ledger.HighestSequence);
        Assert.Equal(5, ledger.Boot);
    }

    internal static async Task WaitUntil(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "condition not met in time");
    }
}

/// <summary>
/// One influxd for the collection; one RabbitMQ cluster for its cluster tests (started by the first of them,
/// each on a vhost of its own: starting a cluster costs half a minute on a loaded 2-core machine).
/// </summary>
[CollectionDefinition("influx")]
public sealed class InfluxCollection : ICollectionFixture<InfluxDbFixture>, ICollectionFixture<RabbitMqClusterFixture>;
