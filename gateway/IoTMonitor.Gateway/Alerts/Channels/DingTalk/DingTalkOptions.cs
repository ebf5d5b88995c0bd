namespace IoTMonitor.Gateway.Alerts.Channels.DingTalk;

/// <summary>
/// <c>Alerts:Channels:DingTalk</c>: DingTalk (钉钉) custom robots. On when <see cref="Robots"/> has an
/// entry. Facts from DingTalk's custom robot documentation (docs/references.md, Alerts).
/// </summary>
public sealed class DingTalkOptions
{
    public const string Section = "DingTalk";

    /// <summary>Robots by a name of your choice (the outbox's recipient; token and secret never appear in logs or the API).</summary>
    public Dictionary<string, DingTalkRobot> Robots { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>text</c> (default) or <c>markdown</c>.</summary>
    public string MessageType { get; set; } = "text";

    /// <summary><c>zh-CN</c> (also <c>zh</c>; Simplified Chinese, the default whatever <c>Alerts:Language</c> says: group chats are where response staff talk) or <c>en</c>. <c>Alerts:RecipientLanguages:{robot name}</c> wins per robot.</summary>
    public string Language { get; set; } = NoticeText.NoticeLanguage.Chinese;

    /// <summary>Time zone of this channel's notice times (<c>UTC+8</c>, <c>UTC</c>, <c>Asia/Urumqi</c> …); empty = <c>Alerts:TimeZone</c>. <c>Alerts:RecipientTimeZones</c> wins per recipient.</summary>
    public string TimeZone { get; set; } = string.Empty;

    /// <summary>Event types the robots post; empty = opened, renotified, escalated, acknowledged, resolved, flapping. Late alerts: <c>Alerts:LateChannels</c>.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>DingTalk's documented limit per robot: 20 messages per minute.</summary>
    public int RateLimitPerMinute { get; set; } = 20;

    /// <summary>After DingTalk refuses a message as over the limit (errcode 130101; it then throttles the robot for 10 minutes), wait this long.</summary>
    public int RateLimitedRetrySeconds { get; set; } = 600;

    internal IReadOnlyList<string> EffectiveEvents => Events.Count > 0 ? Events : NoticeRouting.PeopleEvents;

    public IEnumerable<string> Validate()
    {
        const string key = "Alerts:Channels:DingTalk";
        foreach (var (name, robot) in Robots)
        {
            if (!Uri.TryCreate(robot.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !uri.Query.Contains("access_token=", StringComparison.Ordinal))
            {
                yield return $"{key}:Robots:{name}:Url must be the robot's webhook address, https://oapi.dingtalk.com/robot/send?access_token=…";
            }

            if (robot.Secret.Length > 0 && !robot.Secret.StartsWith("SEC", StringComparison.Ordinal))
            {
                yield return $"{key}:Robots:{name}:Secret must be the signing secret DingTalk shows (it starts with SEC), or empty";
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

public sealed class DingTalkRobot
{
    /// <summary>The robot's webhook address with its access_token, as DingTalk shows it when the robot is added.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The signing secret of the robot's 加签 security setting (starts with SEC); empty = unsigned (keyword or IP allow-list security).</summary>
    public string Secret { get; set; } = string.Empty;
}
