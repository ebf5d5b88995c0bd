using System.Text.Json.Nodes;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>The remote config the gateway wants a device to run: revision, overlay, who set it and when.</summary>
public sealed record DesiredConfig(string Device, long Rev, JsonObject Config, string By, DateTimeOffset At);

/// <summary>The device's last answer on <c>config/ack</c>.</summary>
public sealed record ConfigAck(long Rev, bool Ok, int Err, DateTimeOffset At)
{
    public string ErrName => AckCodes.ConfigError(Err);
}

/// <summary>Where a device's remote config stands.</summary>
public enum ConfigState
{
    /// <summary>No remote config was ever set: the node runs its flashed config.</summary>
    None,

    /// <summary>The desired revision is not acknowledged yet (the node has not woken, or answered an older one).</summary>
    Pending,

    /// <summary>The node acknowledged the desired revision with ok.</summary>
    Applied,

    /// <summary>The node refused the desired revision; it runs on its previous config.</summary>
    Rejected,
}

/// <summary>A device's desired config and its last ack.</summary>
public sealed record DeviceConfigStatus(string Device, DesiredConfig? Desired, ConfigAck? Acked)
{
    public ConfigState State => Desired is null ? ConfigState.None
        : Acked is null || Acked.Rev != Desired.Rev ? ConfigState.Pending
        : Acked.Ok ? ConfigState.Applied : ConfigState.Rejected;
}

/// <summary>Where a command stands.</summary>
public enum CommandState
{
    /// <summary>Published; the broker keeps it in the node's session until the node wakes.</summary>
    Queued,

    /// <summary>The node answered ok.</summary>
    Acked,

    /// <summary>The node answered with an error.</summary>
    Failed,

    /// <summary>No answer within <c>Downlink:CommandExpiryMinutes</c>; its MQTT 5 message expiry lets the broker drop it too; a late answer still turns it into Acked/Failed.</summary>
    Expired,

    /// <summary>The gateway could not hand it to the broker (external broker unreachable).</summary>
    Unsent,
}

/// <summary>One command: what was asked, by whom, and the node's answer.</summary>
public sealed record CommandRecord(
    string Id,
    string Device,
    string Site,
    string Cmd,
    JsonObject Args,
    string By,
    DateTimeOffset At,
    DateTimeOffset Expires,
    CommandState State,
    int? Err,
    DateTimeOffset? AckedAt)
{
    public string? ErrName => Err is { } e ? AckCodes.CommandError(e) : null;

    /// <summary>The per-gateway command id <c>c-&lt;n&gt;</c> from its row number.</summary>
    public static string IdOf(long seq) => "c-" + seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The row number of an id <c>c-&lt;n&gt;</c>, or -1.</summary>
    public static long SeqOf(string? id) =>
        id is { Length: > 2 } && id.StartsWith("c-", StringComparison.Ordinal)
        && long.TryParse(id.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1;
}

/// <summary>What recording an ack did.</summary>
public enum AckOutcome
{
    Recorded,

    /// <summary>A second answer to a command already answered (QoS 1 may deliver twice): ignored.</summary>
    Duplicate,

    /// <summary>No such revision or command for this device: dead-lettered.</summary>
    Unknown,

    /// <summary>
    /// The shared store is away (PostgreSQL restarting): nothing recorded, nothing dead-lettered; the
    /// listener keeps the message (not acknowledged to the broker) and hands it in again.
    /// </summary>
    StoreAway,
}
