namespace IoTMonitor.Gateway.Validation;

/// <summary>The kinds of topic under <c>iotmon/v1/{site}/{device}/</c> (docs/protocol.md §2).</summary>
public enum TopicKind
{
    Invalid,
    Telemetry,
    Status,
    Config,
    ConfigAck,
    Command,
    CommandAck,
}

/// <summary>Parses and checks protocol topics and identifiers.</summary>
public static class TopicName
{
    public const string Prefix = "iotmon/v1/";

    /// <summary>Ids: <c>^[a-z0-9][a-z0-9_-]{0,31}$</c> (docs/protocol.md §1).</summary>
    public static bool IsValidId(ReadOnlySpan<char> id)
    {
        if (id.Length is < 1 or > 32)
        {
            return false;
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (i > 0 && c is '-' or '_');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    public static TopicKind Parse(string topic, out string site, out string device)
    {
        site = device = string.Empty;
        if (topic is null || !topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return TopicKind.Invalid;
        }

        var rest = topic.AsSpan(Prefix.Length);
        var s = rest.IndexOf('/');
        if (s <= 0)
        {
            return TopicKind.Invalid;
        }

        var siteSpan = rest[..s];
        rest = rest[(s + 1)..];
        var d = rest.IndexOf('/');
        if (d <= 0)
        {
            return TopicKind.Invalid;
        }

        var deviceSpan = rest[..d];
        var leaf = rest[(d + 1)..];
        var kind = leaf switch
        {
            "telemetry" => TopicKind.Telemetry,
            "status" => TopicKind.Status,
            "config" => TopicKind.Config,
            "config/ack" => TopicKind.ConfigAck,
            "cmd" => TopicKind.Command,
            "cmd/ack" => TopicKind.CommandAck,
            _ => TopicKind.Invalid,
        };
        if (kind == TopicKind.Invalid || !IsValidId(siteSpan) || !IsValidId(deviceSpan))
        {
            return TopicKind.Invalid;
        }

        site = siteSpan.ToString();
        device = deviceSpan.ToString();
        return kind;
    }
}
