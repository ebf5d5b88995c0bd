namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// Hands a gateway → node message to MQTT at QoS 1: the embedded broker injects it into its own
/// sessions, the external-broker client publishes it. Throws <see cref="DownlinkUnavailableException"/>
/// when the message cannot be handed over now.
/// </summary>
public interface IDownlinkTransport
{
    /// <param name="expiry">MQTT 5 message expiry: the broker drops the message when no session took it by then (null: never).</param>
    Task PublishAsync(string topic, byte[] payload, bool retain, TimeSpan? expiry, CancellationToken cancellationToken);
}

/// <summary>The broker cannot take a downlink message now (external broker disconnected, embedded broker stopped).</summary>
public sealed class DownlinkUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
