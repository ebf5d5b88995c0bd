using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace IoTMonitor.Testing.Tests;

/// <summary>
/// The cluster fixture and the operator's provisioning script against real RabbitMQ nodes: a device's
/// MQTT 3.1.1 QoS 1 publish to one node reaches a partition queue consumed on another, topic ACLs hold,
/// and the cluster keeps taking messages after kill -9 of a node, which rejoins when started again; a second
/// virtual host on the same nodes (tests sharing a cluster) keeps its messages apart.
/// </summary>
public sealed class RabbitMqClusterTests
{
    [Fact]
    public async Task Three_nodes_carry_device_publishes_to_partition_queues_enforce_topic_acls_and_survive_kill_9_of_a_node()
    {
        await using var cluster = await RabbitMqCluster.StartNewAsync(3);
        await cluster.ProvisionAsync(string.Empty, "topology", "--partitions", "2");
        await cluster.ProvisionAsync(string.Empty, "gateway", "gw", "gw-secret");
        await cluster.ProvisionAsync("s1,d1,secret-1\ns1,d2,secret-2\n", "devices", "-");

        // the gateway's side: AMQP on node 3, both partitions, manual acks
        var factory = new ConnectionFactory { UserName = "gw", Password = "gw-secret" };
        await using var amqp = await factory.CreateConnectionAsync([new AmqpTcpEndpoint("127.0.0.1", cluster.Nodes[2].AmqpPort)]);
        await using var channel = await amqp.CreateChannelAsync();
        var received = new ConcurrentQueue<(string Key, string Body)>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, e) =>
        {
            received.Enqueue((e.RoutingKey, Encoding.UTF8.GetString(e.Body.Span)));
            await channel.BasicAckAsync(e.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync("iotmon.uplink.0", autoAck: false, consumer);
        await channel.BasicConsumeAsync("iotmon.uplink.1", autoAck: false, consumer);

        // a device on node 2, MQTT 3.1.1 as the firmware speaks it
        using var device = new MqttClientFactory().CreateMqttClient();
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(device, DeviceOptions(cluster.Nodes[1].MqttPort, "d1", "secret-1")));
        var ack = await device.PublishAsync(Telemetry("iotmon/v1/s1/d1/telemetry", "first"));
        Assert.True(ack.IsSuccess, $"PUBACK {ack.ReasonCode}");
        await WaitFor(() => received.Any(r => r.Body == "first"), "the first publish at the consumer");
        Assert.Contains(received, r => r.Key == "iotmon.v1.s1.d1.telemetry");

        // wrong secret: refused at CONNECT
        using var intruder = new MqttClientFactory().CreateMqttClient();
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(intruder, DeviceOptions(cluster.Nodes[0].MqttPort, "d1-x", "wrong", "d1")));

        // another device's topic: the broker refuses it (RabbitMQ 3.10 closes the connection) and nothing is routed
        using var rogue = new MqttClientFactory().CreateMqttClient();
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(rogue, DeviceOptions(cluster.Nodes[0].MqttPort, "d2", "secret-2")));
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await rogue.PublishAsync(Telemetry("iotmon/v1/s1/d1/telemetry", "forged"), wait.Token);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            // the connection went away without a PUBACK
        }

        await WaitFor(() => !rogue.IsConnected, "the broker to drop the forging device");

        // kill -9 one node (not the device's, not the consumer's): publishes still go through, PUBACK after quorum
        cluster.Nodes[0].Kill();
        for (var i = 0; i < 20; i++)
        {
            var r = await device.PublishAsync(Telemetry("iotmon/v1/s1/d1/telemetry", $"after-kill-{i}"));
            Assert.True(r.IsSuccess, $"PUBACK {r.ReasonCode} after kill");
        }

        await WaitFor(() => received.Count(r => r.Body.StartsWith("after-kill-", StringComparison.Ordinal)) == 20, "20 publishes after the kill");
        Assert.DoesNotContain(received, r => r.Body == "forged");

        // the killed node comes back with its data and rejoins
        await cluster.Nodes[0].StartAsync(TimeSpan.FromSeconds(180));
        var status = await cluster.CtlAsync(cluster.Nodes[1], "cluster_status", "--formatter", "json");
        var running = status[status.IndexOf("\"running_nodes\"", StringComparison.Ordinal)..];
        Assert.Contains(cluster.Nodes[0].NodeName, running[..running.IndexOf(']', StringComparison.Ordinal)]);

        // whole again as tests sharing the cluster need it: every node running in it, every quorum queue's members online
        await cluster.RestoreAsync(TimeSpan.FromSeconds(120));

        // a second virtual host on the same nodes (how tests share one cluster): the same device user and topic
        // there reach that vhost's queues only, and the first vhost's publishes never reach it
        await cluster.AddVirtualHostAsync("other");
        await cluster.ProvisionAsync(string.Empty, "--vhost", "other", "topology", "--partitions", "2");
        await cluster.ProvisionAsync(string.Empty, "--vhost", "other", "gateway", "gw", "gw-secret");
        await cluster.ProvisionAsync("s1,d1,secret-1\n", "--vhost", "other", "devices", "-");
        var otherFactory = new ConnectionFactory { UserName = "gw", Password = "gw-secret", VirtualHost = "other" };
        await using var otherAmqp = await otherFactory.CreateConnectionAsync([new AmqpTcpEndpoint("127.0.0.1", cluster.Nodes[1].AmqpPort)]);
        await using var otherChannel = await otherAmqp.CreateChannelAsync();
        var otherReceived = new ConcurrentQueue<string>();
        var otherConsumer = new AsyncEventingBasicConsumer(otherChannel);
        otherConsumer.ReceivedAsync += async (_, e) =>
        {
            otherReceived.Enqueue(Encoding.UTF8.GetString(e.Body.Span));
            await otherChannel.BasicAckAsync(e.DeliveryTag, multiple: false);
        };
        await otherChannel.BasicConsumeAsync("iotmon.uplink.0", autoAck: false, otherConsumer);
        await otherChannel.BasicConsumeAsync("iotmon.uplink.1", autoAck: false, otherConsumer);

        // the MQTT plugin takes the vhost from the user name "vhost:user" (rabbit_mqtt_processor get_vhost_username)
        using var otherDevice = new MqttClientFactory().CreateMqttClient();
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(otherDevice, DeviceOptions(cluster.Nodes[0].MqttPort, "s1/d1", "secret-1", "other:d1")));
        Assert.True((await otherDevice.PublishAsync(Telemetry("iotmon/v1/s1/d1/telemetry", "in-other"))).IsSuccess);
        Assert.True((await device.PublishAsync(Telemetry("iotmon/v1/s1/d1/telemetry", "in-default"))).IsSuccess);
        await WaitFor(() => otherReceived.Contains("in-other") && received.Any(r => r.Body == "in-default"), "each vhost's publish at its own consumer");
        await Task.Delay(1000); // a copy routed across would be in the other queue by now (both PUBACKs came after routing)
        Assert.DoesNotContain(received, r => r.Body == "in-other");
        Assert.DoesNotContain("in-default", otherReceived);
        Assert.DoesNotContain(otherReceived, b => b.StartsWith("after-kill-", StringComparison.Ordinal) || b == "first");

        // deleting the vhost closes its connections and leaves the other vhost's device publishing
        await cluster.DeleteVirtualHostAsync("other");
        await WaitFor(() => !otherDevice.IsConnected, "the deleted vhost's device to be disconnected");
        Assert.True((await device.PublishAsync(Telemetry("iotmon/v1/s1/d1/telemetry", "after-delete"))).IsSuccess);
        await WaitFor(() => received.Any(r => r.Body == "after-delete"), "a publish after the other vhost was deleted");
    }

    /// <summary>
    /// Connects as a node does: a CONNACK of "server unavailable" is a transient refusal (MQTT 3.1.1
    /// §3.2.2.3, return code 3), and RabbitMQ 3.10's MQTT plugin gives it while its client-ID tracker
    /// (a Ra cluster across the nodes) cannot register the client in time, as on a loaded machine; the
    /// firmware tries again, so does this, a bounded number of times. Any other code is the answer.
    /// </summary>
    internal static async Task<MqttClientConnectResultCode> ConnectAsync(IMqttClient client, MqttClientOptions options)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var code = (await client.ConnectAsync(options)).ResultCode;
            if (code != MqttClientConnectResultCode.ServerUnavailable || DateTime.UtcNow > deadline)
            {
                return code;
            }

            await Task.Delay(500);
        }
    }

    internal static MqttClientOptions DeviceOptions(int port, string clientId, string secret, string? user = null) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithCleanSession(false)
            .WithCredentials(user ?? clientId, secret)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();

    private static MqttApplicationMessage Telemetry(string topic, string payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
