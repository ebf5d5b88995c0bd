using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Ingest;

/// <summary>The MQTT listener's connections, for an external broker what is taken and not yet acknowledged, and in cluster mode each partition queue's share.</summary>
public sealed class ListenerMetrics(IMqttListener listener) : IStageMetrics
{
    public void WriteTo(PrometheusText text)
    {
        text.Gauge("iotmon_mqtt_connected_clients", "MQTT clients connected (embedded) or 1 when connected to the external broker", listener.ConnectedClients);
        if (listener is Embedded.EmbeddedBroker embedded)
        {
            text.Gauge("iotmon_mqtt_pending_connections", "MQTT connections accepted and not yet through their CONNECT (embedded)", embedded.PendingConnections);
        }
        if (listener.InFlight is { } inFlight)
        {
            text.Gauge("iotmon_mqtt_external_in_flight", "Messages received from the external broker and not yet acknowledged", inFlight);
        }

        if (listener is Cluster.ClusterBrokerClient cluster)
        {
            cluster.WriteMetrics(text);
        }
    }
}
