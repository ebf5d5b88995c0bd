using IoTMonitor.Gateway.Downlink;
using MQTTnet;

namespace IoTMonitor.Gateway.Ingest.External;

/// <summary>
/// The way back through an external broker: config (retained) and commands are published by the
/// gateway's own client session at QoS 1. The broker keeps the retained configs; after every
/// (re)connect <see cref="ExternalBrokerClient"/> has <see cref="DownlinkService.RepublishAllAsync"/>
/// publish them again under their stored revisions, in case the broker lost its retained store.
/// The embedded broker's counterpart is <see cref="Ingest.Embedded.EmbeddedDownlink"/>.
/// </summary>
internal sealed class ExternalDownlink(IMqttClient client, ExternalBrokerOptions options) : IDownlinkTransport
{
    public async Task PublishAsync(string topic, byte[] payload, bool retain, TimeSpan? expiry, CancellationToken cancellationToken)
    {
        if (!client.IsConnected)
        {
            throw new DownlinkUnavailableException($"not connected to the broker at {options.Host}:{options.Port}");
        }

        MqttClientPublishResult result;
        try
        {
            result = await client.PublishAsync(DownlinkMessage.Build(topic, payload, retain, expiry), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or ObjectDisposedException or InvalidOperationException)
        {
            throw new DownlinkUnavailableException($"the broker at {options.Host}:{options.Port} did not take the message: {e.Message}", e);
        }

        // NoMatchingSubscribers (Mosquitto, MQTT 5): taken all the same; a retained config waits for the node's first subscription
        if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            throw new DownlinkUnavailableException($"the broker refused the message on {topic}: {result.ReasonCode}");
        }
    }
}
