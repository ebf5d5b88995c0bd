using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>The return leg: configs and commands published, and the nodes' answers.</summary>
public sealed class DownlinkMetrics(Ledger ledger) : IStageMetrics
{
    public void WriteTo(PrometheusText text)
    {
        var c = ledger.Counters;
        text.Counter("iotmon_downlink_config_published_total", "Remote configs published retained (new revisions and re-publications)", GatewayCounters.Read(ref c.DownlinkConfigPublished));
        text.Counter("iotmon_downlink_commands_published_total", "Commands published to nodes", GatewayCounters.Read(ref c.DownlinkCommandsPublished));
        text.Counter("iotmon_downlink_publish_failures_total", "Config or command messages the broker could not take", GatewayCounters.Read(ref c.DownlinkPublishFailures));
        text.Counter("iotmon_downlink_config_acks_total", "config/ack answers recorded", GatewayCounters.Read(ref c.DownlinkConfigAcks));
        text.Counter("iotmon_downlink_config_rejections_total", "config/ack answers with ok false", GatewayCounters.Read(ref c.DownlinkConfigRejections));
        text.Counter("iotmon_downlink_command_acks_total", "cmd/ack answers recorded", GatewayCounters.Read(ref c.DownlinkCommandAcks));
        text.Counter("iotmon_downlink_command_failures_total", "cmd/ack answers with ok false", GatewayCounters.Read(ref c.DownlinkCommandFailures));
        text.Counter("iotmon_downlink_acks_deferred_total", "Acks handed in again because the shared store (PostgreSQL) was away (cluster mode: the broker kept them)", GatewayCounters.Read(ref c.DownlinkAcksDeferred));
        text.Counter("iotmon_downlink_ack_duplicates_total", "Acks repeating an answer already recorded (ignored)", GatewayCounters.Read(ref c.DownlinkAckDuplicates));
        text.Counter("iotmon_downlink_acks_invalid_total", "Acks dead-lettered: malformed, or for a revision or command never sent", GatewayCounters.Read(ref c.DownlinkAcksInvalid));
    }
}
