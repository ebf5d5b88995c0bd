using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTMonitor.Testing.Tests;

public sealed class MosquittoServerTests
{
    [Fact]
    public async Task Carries_a_QoS1_message_between_two_clients()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var factory = new MqttClientFactory();
        using var subscriber = factory.CreateMqttClient();
        using var publisher = factory.CreateMqttClient();
        var received = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };

        await subscriber.ConnectAsync(Options(mosquitto, "sub"));
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("iotmon/v1/test/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.ConnectAsync(Options(mosquitto, "pub"));

        var result = await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("iotmon/v1/test/hello")
            .WithPayload("{\"ph\":7.1}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        Assert.True(result.IsSuccess, $"PUBACK reason {result.ReasonCode}");
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("iotmon/v1/test/hello", message.Topic);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfServiceLevel);
        Assert.Equal("{\"ph\":7.1}", message.ConvertPayloadToString());
    }

    [Fact]
    public async Task Delivers_queued_QoS1_messages_to_a_persistent_session_after_a_restart()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var factory = new MqttClientFactory();
        var got = new ConcurrentBag<string>();

        using (var first = factory.CreateMqttClient())
        {
            await first.ConnectAsync(Options(mosquitto, "gateway", persistent: true));
            await first.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter("q/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await first.DisconnectAsync();
        }

        using (var publisher = factory.CreateMqttClient())
        {
            await publisher.ConnectAsync(Options(mosquitto, "node"));
            for (var i = 0; i < 5; i++)
            {
                await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("q/x").WithPayload($"m{i}")
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }

            await publisher.DisconnectAsync();
        }

        await Task.Delay(1500); // autosave_interval 1 s
        mosquitto.Stop();
        await mosquitto.StartAsync();

        using var second = factory.CreateMqttClient();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        second.ApplicationMessageReceivedAsync += e =>
        {
            got.Add(e.ApplicationMessage.ConvertPayloadToString());
            if (got.Count == 5)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await second.ConnectAsync(Options(mosquitto, "gateway", persistent: true));
        await all.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(new[] { "m0", "m1", "m2", "m3", "m4" }, got.OrderBy(s => s).ToArray());
    }

    [Fact]
    public async Task Stops_cleanly_with_no_process_left()
    {
        var mosquitto = await MosquittoServer.StartNewAsync();
        var pid = mosquitto.Pid!.Value;
        var port = mosquitto.Port;
        mosquitto.Dispose();

        Assert.False(InfluxDbServerTests.IsAlive(pid), "mosquitto still running after Dispose");
        Assert.False(FreePort.IsListening(port));
    }

    private static MqttClientOptions Options(MosquittoServer server, string clientId, bool persistent = false) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", server.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(!persistent)
            .WithSessionExpiryInterval(persistent ? 3600u : 0u)
            .Build();
}
