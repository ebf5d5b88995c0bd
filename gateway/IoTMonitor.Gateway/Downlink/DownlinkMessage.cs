using MQTTnet;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>The MQTT message of a config or command for either listener: QoS 1, retained for config, with an MQTT 5 expiry for commands.</summary>
public static class DownlinkMessage
{
    public static MqttApplicationMessage Build(string topic, byte[] payload, bool retain, TimeSpan? expiry)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain);
        if (expiry is { } e)
        {
            builder.WithMessageExpiryInterval((uint)Math.Min(uint.MaxValue, e.TotalSeconds));
        }

        return builder.Build();
    }
}
