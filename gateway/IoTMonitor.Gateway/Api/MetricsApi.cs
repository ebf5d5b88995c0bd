using System.Globalization;
using System.Text;
using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary><c>GET /metrics</c>: counters per hop and per device in the Prometheus text format (0.0.4).</summary>
public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (Ledger ledger, DeadLetterStore deadLetters, WriteAheadLog wal, InfluxWriter writer, IMqttListener listener, AlertsService alerts, Forwarding.Hj212.Hj212Forwarder hj212, Forwarding.Sl651.Sl651Forwarder sl651) => Results.Text(Render(ledger, deadLetters, wal, writer, listener, alerts) + hj212.RenderMetrics() + sl651.RenderMetrics(), "text/plain; version=0.0.4; charset=utf-8")).RequireApiRole(ApiRole.Operator);
        return app;
    }

    public static string Render(Ledger ledger, DeadLetterStore deadLetters, WriteAheadLog wal, InfluxWriter writer, IMqttListener listener, AlertsService? alerts = null)
    {
        var c = ledger.Counters;
        var sb = new StringBuilder(4096);
        Counter(sb, "iotmon_messages_received_total", "Telemetry messages received", GatewayCounters.Read(ref c.MessagesReceived));
        Counter(sb, "iotmon_messages_invalid_total", "Messages dead-lettered before the WAL (decode, ACL, unknown device)", GatewayCounters.Read(ref c.MessagesInvalid));
        Counter(sb, "iotmon_messages_durable_total", "Messages durable in the WAL (acknowledged)", GatewayCounters.Read(ref c.MessagesDurable));
        Counter(sb, "iotmon_messages_refused_total", "Messages not acknowledged (WAL full or failing, connection lost)", GatewayCounters.Read(ref c.MessagesRefused));
        Counter(sb, "iotmon_readings_received_total", "Readings in envelope-valid messages", GatewayCounters.Read(ref c.ReadingsReceived));
        Counter(sb, "iotmon_readings_invalid_total", "Readings dead-lettered by validation", GatewayCounters.Read(ref c.ReadingsInvalid));
        Counter(sb, "iotmon_readings_durable_total", "Readings durable in the WAL", GatewayCounters.Read(ref c.ReadingsDurable));
        Counter(sb, "iotmon_points_durable_total", "Points (readings + health) durable in the WAL", GatewayCounters.Read(ref c.PointsDurable));
        Counter(sb, "iotmon_points_written_total", "Points confirmed by InfluxDB", GatewayCounters.Read(ref c.PointsWritten));
        Counter(sb, "iotmon_points_dead_lettered_total", "Points refused by InfluxDB and dead-lettered", GatewayCounters.Read(ref c.PointsDeadLettered));
        Counter(sb, "iotmon_dead_letters_total", "Entries added to the dead-letter store", GatewayCounters.Read(ref c.DeadLetters));
        Counter(sb, "iotmon_dead_letters_dropped_total", "Dead-letter entries dropped because the store's queue was full", deadLetters.Dropped);
        Counter(sb, "iotmon_duplicates_total", "Readings whose (device, boot, n) was seen before", GatewayCounters.Read(ref c.Duplicates));
        Counter(sb, "iotmon_auth_failures_total", "MQTT connections refused for bad credentials", GatewayCounters.Read(ref c.AuthFailures));
        Counter(sb, "iotmon_acl_denials_total", "Publishes and subscriptions refused by the topic ACL", GatewayCounters.Read(ref c.AclDenials));
        Counter(sb, "iotmon_wal_full_total", "Appends refused because the WAL was at Buffering:MaxBytes", GatewayCounters.Read(ref c.WalFull));
        Counter(sb, "iotmon_influx_write_requests_total", "Write requests sent to InfluxDB", GatewayCounters.Read(ref c.InfluxWriteRequests));
        Counter(sb, "iotmon_influx_write_errors_total", "Write requests that failed and were retried", GatewayCounters.Read(ref c.InfluxWriteErrors));
        Counter(sb, "iotmon_downlink_config_published_total", "Remote configs published retained (new revisions and re-publications)", GatewayCounters.Read(ref c.DownlinkConfigPublished));
        Counter(sb, "iotmon_downlink_commands_published_total", "Commands published to nodes", GatewayCounters.Read(ref c.DownlinkCommandsPublished));
        Counter(sb, "iotmon_downlink_publish_failures_total", "Config or command messages the broker could not take", GatewayCounters.Read(ref c.DownlinkPublishFailures));
        Counter(sb, "iotmon_downlink_config_acks_total", "config/ack answers recorded", GatewayCounters.Read(ref c.DownlinkConfigAcks));
        Counter(sb, "iotmon_downlink_config_rejections_total", "config/ack answers with ok false", GatewayCounters.Read(ref c.DownlinkConfigRejections));
        Counter(sb, "iotmon_downlink_command_acks_total", "cmd/ack answers recorded", GatewayCounters.Read(ref c.DownlinkCommandAcks));
        Counter(sb, "iotmon_downlink_command_failures_total", "cmd/ack answers with ok false", GatewayCounters.Read(ref c.DownlinkCommandFailures));
        Counter(sb, "iotmon_downlink_ack_duplicates_total", "Acks repeating an answer already recorded (ignored)", GatewayCounters.Read(ref c.DownlinkAckDuplicates));
        Counter(sb, "iotmon_downlink_acks_invalid_total", "Acks dead-lettered: malformed, or for a revision or command never sent", GatewayCounters.Read(ref c.DownlinkAcksInvalid));
        Counter(sb, "iotmon_wal_write_failures_total", "WAL group commits whose write or fsync failed (disk full, I/O error)", wal.FailedGroups);
        Counter(sb, "iotmon_wal_appends_failed_total", "Telemetry messages refused because their WAL write failed", wal.FailedAppends);
        Gauge(sb, "iotmon_wal_pending_records", "WAL records not yet confirmed by InfluxDB", wal.PendingRecords);
        Gauge(sb, "iotmon_wal_bytes", "Bytes in WAL segments", wal.TotalBytes);
        Gauge(sb, "iotmon_wal_segments", "WAL segment files", wal.SegmentCount);
        Gauge(sb, "iotmon_influx_reachable", "1 when the last InfluxDB request succeeded", writer.Reachable ? 1 : 0);
        Gauge(sb, "iotmon_mqtt_connected_clients", "MQTT clients connected (embedded) or 1 when connected to the external broker", listener.ConnectedClients);
        if (listener.InFlight is { } inFlight)
        {
            Gauge(sb, "iotmon_mqtt_external_in_flight", "Messages received from the external broker and not yet acknowledged", inFlight);
        }

        if (alerts is not null)
        {
            // the engine commits evaluations in groups (docs/alerts.md): these show it keeping up
            Counter(sb, "iotmon_alert_batches_evaluated_total", "Durable telemetry batches evaluated against the alert rules", alerts.Engine.BatchesEvaluated);
            Counter(sb, "iotmon_alert_groups_total", "Groups of evaluations committed together", alerts.Engine.GroupsCommitted);
            Counter(sb, "iotmon_alert_evaluation_failures_total", "Evaluations that threw and were dropped (logged)", alerts.Engine.EvaluationFailures);
            Counter(sb, "iotmon_alert_commits_total", "SQLite commits of the alert store", alerts.Engine.Store.Commits);
            Counter(sb, "iotmon_alert_state_writes_total", "Rule states written (only changed ones)", alerts.Engine.Store.StateWrites);
            Counter(sb, "iotmon_alert_duplicate_readings_skipped_total", "Redelivered readings whose (device, boot, n) the alert engine had already evaluated (not evaluated again)", alerts.Engine.DuplicateReadingsSkipped);
            Counter(sb, "iotmon_alert_rain_decreases_total", "rain.total readings lower than the previous one of the same boot: increment taken as 0 (reason rain_decrease, protocol §8 Rainfall)", alerts.Engine.RainDecreases);

            // what alerting would lose to a crash now, and what earlier stops did lose (docs/alerts.md, Stop and restart)
            Gauge(sb, "iotmon_alert_queue_length", "Items queued for the alert engine and not yet evaluated (lost to alerting by a crash)", alerts.Engine.QueueLength);
            Counter(sb, "iotmon_alert_batches_cut_at_stop_total", "Queued batches a graceful stop's drain deadline left unevaluated, over every run of this alert store", alerts.Engine.BatchesCutAtStop);
            Counter(sb, "iotmon_alert_unclean_stops_total", "Starts of this alert store after a run that did not stop cleanly (crash, kill, power loss)", alerts.Engine.UncleanStops);
        }

        Header(sb, "iotmon_device_last_seen_seconds", "gauge", "Unix time of the device's last message");
        Header(sb, "iotmon_device_boot", "gauge", "Boot counter last reported");
        Header(sb, "iotmon_device_highest_sequence", "gauge", "Highest reading sequence of the current boot");
        Header(sb, "iotmon_device_missing_readings", "gauge", "Sequence numbers missing in the current boot (gaps)");
        Header(sb, "iotmon_device_duplicates_total", "counter", "Duplicate readings from the device");
        Header(sb, "iotmon_device_battery_volts", "gauge", "Battery voltage last reported");
        Header(sb, "iotmon_device_rssi_dbm", "gauge", "WiFi RSSI last reported");
        foreach (var d in ledger.Devices)
        {
            var labels = $"{{site=\"{Escape(d.Site)}\",device=\"{Escape(d.Device)}\"}}";
            Line(sb, "iotmon_device_last_seen_seconds", labels, d.LastSeen.ToUnixTimeSeconds());
            Line(sb, "iotmon_device_boot", labels, d.Boot);
            Line(sb, "iotmon_device_highest_sequence", labels, d.HighestSequence);
            Line(sb, "iotmon_device_missing_readings", labels, d.MissingCount);
            Line(sb, "iotmon_device_duplicates_total", labels, d.Duplicates);
            Line(sb, "iotmon_device_battery_volts", labels, d.Battery);
            Line(sb, "iotmon_device_rssi_dbm", labels, d.Rssi);
        }

        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static void Header(StringBuilder sb, string name, string type, string help) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Counter(StringBuilder sb, string name, string help, long value)
    {
        Header(sb, name, "counter", help);
        Line(sb, name, string.Empty, value);
    }

    private static void Gauge(StringBuilder sb, string name, string help, long value)
    {
        Header(sb, name, "gauge", help);
        Line(sb, name, string.Empty, value);
    }

    private static void Line(StringBuilder sb, string name, string labels, double value) =>
        sb.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
}
