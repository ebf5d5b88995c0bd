using System.Collections;
using MQTTnet.Packets;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// The MQTT 5 topic aliases a client set on its connection, as the packet step must see them. MQTTnet's
/// server announces a Topic Alias Maximum of 65535 in its CONNACK and resolves an alias only after the
/// inbound-packet interceptor has run (MQTTnet 5.2, Server/Internal/MqttConnectedClient.cs,
/// HandleTopicAlias), so a PUBLISH that carries only an alias reaches that step with an empty topic.
/// MQTT 5.0 §3.3.2.3.4: an alias is set by a PUBLISH with both a topic and an alias, used by later ones
/// with an empty topic, and lives as long as the network connection (not the session).
/// </summary>
internal static class TopicAliases
{
    private const string Key = "iotmon.topic-aliases";

    /// <summary>The topic this PUBLISH is for: its own, or the one its alias names (empty when the alias was never set).</summary>
    public static string Resolve(IDictionary items, MqttPublishPacket publish)
    {
        if (publish.TopicAlias == 0)
        {
            return publish.Topic;
        }

        lock (items)
        {
            if (items[Key] is not Dictionary<ushort, string> aliases)
            {
                aliases = [];
                items[Key] = aliases;
            }

            if (!string.IsNullOrEmpty(publish.Topic))
            {
                aliases[publish.TopicAlias] = publish.Topic;
                return publish.Topic;
            }

            return aliases.TryGetValue(publish.TopicAlias, out var topic) ? topic : string.Empty;
        }
    }

    /// <summary>A new connection starts with no aliases, even when it resumes a session.</summary>
    public static void Reset(IDictionary items)
    {
        lock (items)
        {
            items.Remove(Key);
        }
    }
}
