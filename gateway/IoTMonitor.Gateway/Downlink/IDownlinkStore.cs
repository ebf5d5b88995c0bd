using System.Text.Json.Nodes;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// Desired remote configs, their acks, and the command history: <see cref="SqliteDownlinkStore"/> for
/// one gateway, <see cref="PostgresDownlinkStore"/> shared by replicas, so an ack is matched by
/// whichever replica receives it. Revisions only grow: a restart re-publishes the stored revision, it
/// never assigns a new one.
/// </summary>
public interface IDownlinkStore
{
    DeviceConfigStatus ConfigOf(string device);

    /// <summary>Every desired config (re-published retained at start and after a reconnect).</summary>
    IReadOnlyList<(DesiredConfig Config, string Site)> AllDesired(Func<string, string?> siteOf);

    /// <summary>
    /// Replaces the device's overlay with <paramref name="change"/>(current overlay) under the next
    /// revision. Returns null and the change's error when it refuses.
    /// </summary>
    DesiredConfig? SetConfig(string device, Func<JsonObject, (JsonObject? Next, string? Error)> change, string by, DateTimeOffset now, out string? error);

    /// <summary>
    /// Records a config/ack; a revision the gateway never assigned to the device is Unknown, an answer
    /// to a revision older than the last answered one a Duplicate.
    /// </summary>
    AckOutcome RecordConfigAck(string device, long rev, bool ok, int err, DateTimeOffset now);

    /// <summary>Stores a new command as queued and returns it with its id.</summary>
    CommandRecord AddCommand(string device, string site, CommandRequest request, string by, DateTimeOffset now, TimeSpan expiry);

    /// <summary>The gateway could not hand a queued command to the broker.</summary>
    void MarkUnsent(string id);

    /// <summary>
    /// Records a cmd/ack. An answer after expiry still counts (the node did run it); a second
    /// answer is a Duplicate; an id the gateway never gave this device is Unknown.
    /// </summary>
    AckOutcome RecordCommandAck(string device, string? id, bool ok, int err, DateTimeOffset now);

    /// <summary>The device's commands, newest first (queued ones past their expiry marked expired first).</summary>
    IReadOnlyList<CommandRecord> Commands(string device, int limit, DateTimeOffset now);

    CommandRecord? Command(string device, string id, DateTimeOffset now);
}
