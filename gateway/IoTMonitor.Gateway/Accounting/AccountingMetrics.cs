using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Accounting;

/// <summary>The ingest hops' counters (messages, readings, refusals) and one ledger line set per device.</summary>
public sealed class AccountingMetrics(Ledger ledger) : IStageMetrics
{
    public void WriteTo(PrometheusText text)
    {
        var c = ledger.Counters;
        text.Counter("iotmon_messages_received_total", "Telemetry messages received", GatewayCounters.Read(ref c.MessagesReceived));
        text.Counter("iotmon_messages_invalid_total", "Messages dead-lettered before the WAL (decode, ACL, unknown device)", GatewayCounters.Read(ref c.MessagesInvalid));
        text.Counter("iotmon_messages_durable_total", "Messages durable in the WAL (acknowledged)", GatewayCounters.Read(ref c.MessagesDurable));
        text.Counter("iotmon_messages_refused_total", "Messages not acknowledged (WAL full or failing, connection lost, alert engine stopped before evaluating them)", GatewayCounters.Read(ref c.MessagesRefused));
        text.Counter("iotmon_readings_received_total", "Readings in envelope-valid messages", GatewayCounters.Read(ref c.ReadingsReceived));
        text.Counter("iotmon_readings_invalid_total", "Readings dead-lettered by validation", GatewayCounters.Read(ref c.ReadingsInvalid));
        text.Counter("iotmon_readings_durable_total", "Readings durable in the WAL", GatewayCounters.Read(ref c.ReadingsDurable));
        text.Counter("iotmon_points_durable_total", "Points (readings + health) durable in the WAL", GatewayCounters.Read(ref c.PointsDurable));
        text.Counter("iotmon_dead_letters_total", "Entries added to the dead-letter store", GatewayCounters.Read(ref c.DeadLetters));
        text.Counter("iotmon_duplicates_total", "Readings whose (device, boot, n) was seen before", GatewayCounters.Read(ref c.Duplicates));
        text.Counter("iotmon_auth_failures_total", "MQTT connections refused for bad credentials", GatewayCounters.Read(ref c.AuthFailures));
        text.Counter("iotmon_mqtt_packets_too_large_total", "MQTT connections closed because a packet announced more than Mqtt:MaxPacketBytes (embedded)", GatewayCounters.Read(ref c.PacketsTooLarge));
        text.Counter("iotmon_mqtt_connect_timeouts_total", "MQTT connections closed for no complete CONNECT within Mqtt:ConnectTimeoutSeconds (embedded)", GatewayCounters.Read(ref c.ConnectTimeouts));
        text.Counter("iotmon_mqtt_pending_evictions_total", "MQTT connections without CONNECT closed to admit a newer one over Mqtt:MaxPendingConnections or MaxPendingConnectionsPerAddress (embedded)", GatewayCounters.Read(ref c.PendingEvictions));
        text.Counter("iotmon_acl_denials_total", "Publishes and subscriptions refused by the topic ACL", GatewayCounters.Read(ref c.AclDenials));

        text.Header("iotmon_device_last_seen_seconds", "gauge", "Unix time of the device's last message");
        text.Header("iotmon_device_boot", "gauge", "Boot counter last reported");
        text.Header("iotmon_device_highest_sequence", "gauge", "Highest reading sequence of the current boot");
        text.Header("iotmon_device_missing_readings", "gauge", "Sequence numbers missing in the current boot (gaps)");
        text.Header("iotmon_device_duplicates_total", "counter", "Duplicate readings from the device");
        text.Header("iotmon_device_battery_volts", "gauge", "Battery voltage last reported");
        text.Header("iotmon_device_rssi_dbm", "gauge", "WiFi RSSI last reported");
        foreach (var d in ledger.Devices)
        {
            var labels = $"{{site=\"{PrometheusText.Escape(d.Site)}\",device=\"{PrometheusText.Escape(d.Device)}\"}}";
            text.Line("iotmon_device_last_seen_seconds", labels, d.LastSeen.ToUnixTimeSeconds());
            text.Line("iotmon_device_boot", labels, d.Boot);
            text.Line("iotmon_device_highest_sequence", labels, d.HighestSequence);
            text.Line("iotmon_device_missing_readings", labels, d.MissingCount);
            text.Line("iotmon_device_duplicates_total", labels, d.Duplicates);
            text.Line("iotmon_device_battery_volts", labels, d.Battery);
            text.Line("iotmon_device_rssi_dbm", labels, d.Rssi);
        }
    }
}
