using IoTMonitor.Gateway.Downlink;
using MQTTnet.Server;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// The way back through the embedded broker: config and commands are injected into the broker's
/// own sessions, marked as the gateway's so the access check lets them through
/// (<see cref="TopicAccess"/>). MQTTnet keeps retained messages in memory only, so the desired
/// configs are loaded into its retained store when it starts, under their stored revisions.
/// </summary>
internal sealed class EmbeddedDownlink(DownlinkService downlink, Func<MqttServer?> server) : IDownlinkTransport
{
    private const string GatewayClientId = "iotmon-gateway";

    /// <summary>LoadingRetainedMessageAsync: the stored desired configs, retained.</summary>
    public Task LoadRetainedConfigsAsync(LoadingRetainedMessagesEventArgs e)
    {
        foreach (var (topic, payload) in downlink.RetainedConfigs())
        {
            e.LoadedRetainedMessages.Add(DownlinkMessage.Build(topic, payload, retain: true, expiry: null));
        }

        return Task.CompletedTask;
    }

    /// <summary>Injects a gateway → node message as if the gateway's own client had published it (MqttServer.InjectApplicationMessage, MQTTnet 5).</summary>
    public async Task PublishAsync(string topic, byte[] payload, bool retain, TimeSpan? expiry, CancellationToken cancellationToken)
    {
        if (server() is not { IsStarted: true } running)
        {
            throw new DownlinkUnavailableException("the embedded broker is not running");
        }

        var injected = new InjectedMqttApplicationMessage(DownlinkMessage.Build(topic, payload, retain, expiry))
        {
            SenderClientId = GatewayClientId,
            CustomSessionItems = new System.Collections.Hashtable { [SessionIdentity.GatewayKey] = true },
        };
        try
        {
            await running.InjectApplicationMessage(injected, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException ex)
        {
            throw new DownlinkUnavailableException("the embedded broker is stopping", ex);
        }
    }
}
