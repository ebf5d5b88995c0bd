using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Ingest;

/// <summary>
/// A publish's topic, parsed once when the message arrives (<see cref="TopicName.Parse"/>); every
/// later step (enrolment, the access check, the pipeline, the ack and status intakes) reads it
/// from here instead of parsing the topic again.
/// </summary>
public readonly record struct TopicRoute(string Topic, TopicKind Kind, string Site, string Device)
{
    public static TopicRoute Parse(string topic) => new(topic, TopicName.Parse(topic, out var site, out var device), site, device);

    /// <summary>
    /// Telemetry, or a topic shaped like it but invalid (<c>iotmon/v1/…/telemetry</c> with bad ids):
    /// both go to the pipeline, which dead-letters the second as <c>bad_topic</c>.
    /// </summary>
    public bool IsTelemetry => Kind == TopicKind.Telemetry
        || Topic.StartsWith(TopicName.Prefix, StringComparison.Ordinal) && Topic.EndsWith("/telemetry", StringComparison.Ordinal);

    /// <summary>The kinds a node publishes (protocol §2): telemetry, status and the two acks.</summary>
    public bool IsNodeUplink => Kind is TopicKind.Telemetry or TopicKind.Status or TopicKind.ConfigAck or TopicKind.CommandAck;
}
