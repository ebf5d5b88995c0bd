namespace IoTMonitor.Gateway.Alerts.Channels.Mqtt;

/// <summary><c>Alerts:Mqtt</c> (or <c>Alerts:Channels:Mqtt</c>).</summary>
public sealed class AlertMqttOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Broker host; empty = the embedded broker on 127.0.0.1 (Mqtt:Port), or Mqtt:External:Host in external mode.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>0 = Mqtt:Port (embedded) or Mqtt:External:Port.</summary>
    public int Port { get; set; }

    /// <summary>Login; on the embedded broker this must equal Mqtt:ServiceUser when Registry:RequireAuthentication is on.</summary>
    public string User { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    /// <summary>Events go to <c>{prefix}/events/{site}</c>; the retained active set is <c>{prefix}/active/{site}/{alert}</c>.</summary>
    public string TopicPrefix { get; set; } = "iotmon/alerts";

    /// <summary>Listen to the nodes' retained status (<c>iotmon/v1/+/+/status</c>) for their announced schedule.</summary>
    public bool SubscribeStatus { get; set; } = true;

    /// <summary>Notice language for this channel: <c>zh-CN</c> or <c>en</c>; empty = <c>Alerts:Language</c>. <c>Alerts:RecipientLanguages</c> wins per recipient.</summary>
    public string Language { get; set; } = string.Empty;

    /// <summary>Time zone of this channel's notice times (<c>UTC+8</c>, <c>UTC</c>, <c>Asia/Urumqi</c> …); empty = <c>Alerts:TimeZone</c>. <c>Alerts:RecipientTimeZones</c> wins per recipient.</summary>
    public string TimeZone { get; set; } = string.Empty;

    public IEnumerable<string> Validate()
    {
        if (Enabled && (string.IsNullOrWhiteSpace(TopicPrefix) || TopicPrefix.Contains('+', StringComparison.Ordinal) || TopicPrefix.Contains('#', StringComparison.Ordinal)))
        {
            yield return "Alerts:Mqtt:TopicPrefix must be a topic without wildcards";
        }

        foreach (var problem in NoticeText.NoticeLanguage.Check("Alerts:Mqtt:Language", Language, optional: true).Concat(NoticeText.NoticeZone.Check("Alerts:Mqtt:TimeZone", TimeZone, optional: true)))
        {
            yield return problem;
        }
    }
}
