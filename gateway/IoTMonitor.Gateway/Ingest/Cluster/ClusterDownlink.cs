using IoTMonitor.Gateway.Downlink;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace IoTMonitor.Gateway.Ingest.Cluster;

/// <summary>
/// The way back through the RabbitMQ cluster: config and commands are published over AMQP to
/// <c>amq.topic</c> with the topic's routing key, persistent, and the call returns when the broker
/// confirmed them (publisher confirms). The MQTT plugin has bound each node's persistent-session
/// queue (<c>mqtt-subscription-{client id}qos1</c>, a quorum queue) to its <c>config</c> and <c>cmd</c>
/// topics, so the message waits there until the node wakes. The plugin's retained store is per node
/// and not replicated (docs/architecture.md), so a config is sent as a normal message into that queue
/// instead of retained; <see cref="ClusterBrokerClient"/> republishes the stored configs after every (re)connect.
/// </summary>
internal sealed class ClusterDownlink(ClusterBrokerClient client) : IDownlinkTransport
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;

    public async Task PublishAsync(string topic, byte[] payload, bool retain, TimeSpan? expiry, CancellationToken cancellationToken)
    {
        var connection = client.Connection;
        if (connection is null || !connection.IsOpen)
        {
            throw new DownlinkUnavailableException("not connected to the RabbitMQ cluster");
        }

        var properties = new BasicProperties { Persistent = true };
        if (expiry is { } e)
        {
            properties.Expiration = ((long)Math.Max(1, e.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _channel ??= await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
            await _channel.BasicPublishAsync("amq.topic", UplinkTopology.RoutingKeyOf(topic), mandatory: false, properties, payload, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PublishException or AlreadyClosedException or OperationInterruptedException or BrokerUnreachableException or IOException)
        {
            _channel = null;
            throw new DownlinkUnavailableException($"the cluster did not take the message on {topic}: {ex.Message}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }
}
