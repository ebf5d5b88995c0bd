using RabbitMQ.Client;

namespace IoTMonitor.Gateway.Ingest.Cluster;

/// <summary>
/// The cluster's uplink path, the same as scripts/rabbitmq-provision.py declares: <c>amq.topic</c> (where
/// the MQTT plugin publishes, routing key = topic with '/' as '.') → <c>iotmon.uplink</c>, a consistent-hash
/// exchange (one device topic, one queue) → N quorum queues with a single active consumer each.
/// A device's PUBACK follows the quorum queue's confirm, and a message that routes nowhere is confirmed
/// and dropped, so this must exist before devices publish (docs/architecture.md "The clustered broker").
/// </summary>
public static class UplinkTopology
{
    public const string Exchange = "iotmon.uplink";

    /// <summary>The node → gateway kinds of protocol §2, as routing-key patterns.</summary>
    public static readonly string[] Bindings = ["iotmon.v1.*.*.telemetry", "iotmon.v1.*.*.status", "iotmon.v1.*.*.config.ack", "iotmon.v1.*.*.cmd.ack"];

    public static string Queue(int partition) => $"iotmon.uplink.{partition}";

    public static IDictionary<string, object?> QueueArguments => new Dictionary<string, object?>
    {
        ["x-queue-type"] = "quorum",
        ["x-single-active-consumer"] = true,
    };

    public static async Task DeclareAsync(IChannel channel, int partitions, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(Exchange, "x-consistent-hash", durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var key in Bindings)
        {
            await channel.ExchangeBindAsync(Exchange, "amq.topic", key, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        for (var p = 0; p < partitions; p++)
        {
            await channel.QueueDeclareAsync(Queue(p), durable: true, exclusive: false, autoDelete: false, arguments: QueueArguments, cancellationToken: cancellationToken).ConfigureAwait(false);
            // the binding key of a consistent-hash exchange is the queue's weight
            await channel.QueueBindAsync(Queue(p), Exchange, "1", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The MQTT topic of a routing key: the plugin swaps '/' and '.' (protocol ids contain neither).</summary>
    public static string TopicOf(string routingKey) => routingKey.Replace('.', '/');

    /// <summary>The routing key of an MQTT topic, as the plugin computes it.</summary>
    public static string RoutingKeyOf(string topic) => topic.Replace('/', '.');
}
