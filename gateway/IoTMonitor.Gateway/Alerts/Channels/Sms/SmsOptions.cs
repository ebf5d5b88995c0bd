namespace IoTMonitor.Gateway.Alerts.Channels.Sms;

/// <summary><c>Alerts:Sms</c> (or <c>Alerts:Channels:Sms</c>).</summary>
public sealed class SmsOptions
{
    /// <summary>HTTP SMS gateway URL; <c>{to}</c> and <c>{text}</c> are replaced URL-encoded. Empty = channel off.</summary>
    public string UrlTemplate { get; set; } = string.Empty;

    /// <summary>GET or POST.</summary>
    public string Method { get; set; } = "POST";

    /// <summary>POST body; <c>{to}</c> and <c>{text}</c> are replaced JSON-escaped when the content type is JSON, else URL-encoded.</summary>
    public string BodyTemplate { get; set; } = "{\"to\":\"{to}\",\"text\":\"{text}\"}";

    public string ContentType { get; set; } = "application/json";

    /// <summary>Extra request headers (e.g. Authorization).</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Longer texts are cut (with an ellipsis).</summary>
    public int MaxLength { get; set; } = 320;

    /// <summary>At most this many segments (Chinese: 67 characters each when concatenated, English 153); the essential facts are in the first.</summary>
    public int MaxSegments { get; set; } = 3;

    /// <summary>Notice language for this channel: <c>zh-CN</c> or <c>en</c>; empty = <c>Alerts:Language</c>. <c>Alerts:RecipientLanguages</c> wins per recipient.</summary>
    public string Language { get; set; } = string.Empty;

    /// <summary>Time zone of this channel's notice times (<c>UTC+8</c>, <c>UTC</c>, <c>Asia/Urumqi</c> …); empty = <c>Alerts:TimeZone</c>. <c>Alerts:RecipientTimeZones</c> wins per recipient.</summary>
    public string TimeZone { get; set; } = string.Empty;

    public IEnumerable<string> Validate()
    {
        if (UrlTemplate.Length > 0 && !UrlTemplate.StartsWith("http", StringComparison.Ordinal))
        {
            yield return "Alerts:Sms:UrlTemplate must be an http(s) URL template";
        }

        if (MaxSegments < 1 || MaxLength < 70)
        {
            yield return "Alerts:Sms:MaxSegments must be ≥ 1 and Alerts:Sms:MaxLength ≥ 70 (one Chinese segment)";
        }

        foreach (var problem in NoticeText.NoticeLanguage.Check("Alerts:Sms:Language", Language, optional: true).Concat(NoticeText.NoticeZone.Check("Alerts:Sms:TimeZone", TimeZone, optional: true)))
        {
            yield return problem;
        }
    }
}
