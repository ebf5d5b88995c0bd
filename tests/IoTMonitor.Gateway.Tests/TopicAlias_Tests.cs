using System.Text.Json;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Gateway.Validation;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Tests;

/// <summary>
/// MQTT 5 clients may name a topic once with an alias and then send the alias alone (MQTT 5.0
/// §3.3.2.3.4); the embedded broker offers aliases (Topic Alias Maximum 65535 in its CONNACK).
/// </summary>
[Collection("influx")]
public sealed class TopicAlias_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task Telemetry_sent_under_a_topic_alias_is_stored_and_an_alias_never_set_on_this_connection_is_refused()
    {
        await using var gw = await GatewayHarness.StartAsync(influx.Server);
        var secret = await gw.EnrolAsync("site-alias", "wq-alias");
        var topic = Payloads.Topic("site-alias", "wq-alias");

        using (var client = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-alias", secret))
        {
            var first = await client.PublishAsync(Message(topic, 7, Payloads.Batch(1, 1, Payloads.TimeOf(1))));
            var second = await client.PublishAsync(Message(string.Empty, 7, Payloads.Batch(1, 5, Payloads.TimeOf(2))));
            var third = await client.PublishAsync(Message(string.Empty, 7, Payloads.Batch(1, 9, Payloads.TimeOf(3))));
            Assert.True(first.IsSuccess && second.IsSuccess && third.IsSuccess, $"{first.ReasonCode} {second.ReasonCode} {third.ReasonCode}");
            await client.DisconnectAsync();
        }

        // aliases live as long as the connection: after a reconnect alias 7 names nothing
        using (var again = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-alias", secret))
        {
            var stale = await again.PublishAsync(Message(string.Empty, 7, Payloads.Batch(1, 13, Payloads.TimeOf(4))));
            Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, stale.ReasonCode);
        }

        Assert.Equal(12, await GatewayHarness.WaitForCountAsync(influx.Server, gw.Database, 12, TimeSpan.FromSeconds(20)));
        var c = gw.Service<Ledger>().Counters;
        Assert.Equal(3, GatewayCounters.Read(ref c.MessagesDurable));
        Assert.Equal(1, GatewayCounters.Read(ref c.MessagesInvalid));
        Assert.Equal(0, GatewayCounters.Read(ref c.AclDenials));
        await gw.Service<DeadLetterStore>().FlushAsync(TimeSpan.FromSeconds(5));
        var reasons = File.ReadAllLines(gw.Service<DeadLetterStore>().FilePath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("reason").GetString());
        Assert.Equal([DecodeError.BadTopic], reasons);
    }

    private static MqttApplicationMessage Message(string topic, ushort alias, byte[] payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithTopicAlias(alias).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
}
