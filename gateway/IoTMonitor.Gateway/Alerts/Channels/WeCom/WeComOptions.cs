namespace IoTMonitor.Gateway.Alerts.Channels.WeCom;

/// <summary>
/// <c>Alerts:Channels:WeCom</c>: WeCom (企业微信) group robots. On when <see cref="Robots"/> has an
/// entry. Facts from WeCom's "群机器人配置说明" (docs/references.md, Alerts).
/// </summary>
public sealed class WeComOptions
{
    public const string Section = "WeCom";

    /// <summary>Robots by a name of your choice (the outbox's recipient; the webhook key never appears in logs or the API).</summary>
    public Dictionary<string, WeComRobot> Robots { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>text</c> (default) or <c>markdown</c>.</summary>
    public string MessageType { get; set; } = "text";

    /// <summary><c>zh-CN</c> (also <c>zh</c>; Simplified Chinese, the default whatever <c>Alerts:Language</c> says: group chats are where response staff talk) or <c>en</c>. <c>Alerts:RecipientLanguages:{robot name}</c> wins per robot.</summary>
    public string Language { get; set; } = NoticeText.NoticeLanguage.Chinese;

    /// <summary>Time zone of this channel's notice times (<c>UTC+8</c>, <c>UTC</c>, <c>Asia/Urumqi</c> …); empty = <c>Alerts:TimeZone</c>. <c>Alerts:RecipientTimeZones</c> wins per recipient.</summary>
    public string TimeZone { get; set; } = string.Empty;

    /// <summary>Event types the robots post; empty = opened, renotified, escalated, acknowledged, resolved, flapping. Late alerts: <c>Alerts:LateChannels</c>.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>WeCom's documented limit per robot: 20 messages per minute.</summary>
    public int RateLimitPerMinute { get; set; } = 20;

    /// <summary>After WeCom refuses a message as over the limit (errcode 45009), wait this long before the robot's next message.</summary>
    public int RateLimitedRetrySeconds { get; set; } = 60;

    internal IReadOnlyList<string> EffectiveEvents => Events.Count > 0 ? Events : NoticeRouting.PeopleEvents;

    public IEnumerable<string> Validate()
    {
        const string key = "Alerts:Channels:WeCom";
        foreach (var (name, robot) in Robots)
        {
            if (!Uri.TryCreate(robot.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !uri.Query.Contains("key=", StringComparison.Ordinal))
            {
                yield return $"{key}:Robots:{name}:Url must be the robot's webhook address, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…";
            }
        }

        if (MessageType is not ("text" or "markdown"))
        {
            yield return $"{key}:MessageType must be text or markdown";
        }

        foreach (var problem in NoticeText.NoticeLanguage.Check($"{key}:Language", Language, optional: false).Concat(NoticeText.NoticeZone.Check($"{key}:TimeZone", TimeZone, optional: true)))
        {
            yield return problem;
        }

        if (RateLimitPerMinute < 1 || RateLimitedRetrySeconds < 1)
        {
            yield return $"{key}:RateLimitPerMinute and RateLimitedRetrySeconds must be ≥ 1";
        }

        foreach (var problem in NoticeRouting.CheckEvents($"{key}:Events", Events))
        {
            yield return problem;
        }
    }
}

public sealed class WeComRobot
{
    /// <summary>The robot's webhook address with its key, as WeCom shows it when the robot is added to a group.</summary>
    public string Url { get; set; } = string.Empty;
}
