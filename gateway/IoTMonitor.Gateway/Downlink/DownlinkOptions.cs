namespace IoTMonitor.Gateway.Downlink;

/// <summary>Options of remote config and commands (appsettings section <c>Downlink</c>).</summary>
public sealed class DownlinkOptions
{
    public const string Section = "Downlink";

    /// <summary>
    /// Minutes a queued command waits for its ack before it is marked expired; also its MQTT 5
    /// message expiry, by which a broker that honours it drops it from a sleeping node's session
    /// (a late answer is still recorded).
    /// Default 7 days, the nodes' session expiry.
    /// </summary>
    public int CommandExpiryMinutes { get; set; } = 7 * 24 * 60;

    /// <summary>Most commands <c>GET …/commands</c> returns (its <c>limit</c> is capped here).</summary>
    public int MaxHistory { get; set; } = 1000;

    internal IEnumerable<string> Validate()
    {
        if (CommandExpiryMinutes is < 1 or > 30 * 24 * 60)
        {
            yield return "Downlink:CommandExpiryMinutes must be 1–43200";
        }

        if (MaxHistory is < 1 or > 100_000)
        {
            yield return "Downlink:MaxHistory must be 1–100000";
        }
    }
}
