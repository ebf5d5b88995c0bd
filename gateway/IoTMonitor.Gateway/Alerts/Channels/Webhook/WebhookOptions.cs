namespace IoTMonitor.Gateway.Alerts.Channels.Webhook;

/// <summary><c>Alerts:Webhook</c> (or <c>Alerts:Channels:Webhook</c>, which wins key by key).</summary>
public sealed class WebhookOptions
{
    /// <summary>Receivers of every alert event (JSON POST); empty = channel off.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>HMAC-SHA256 key; the signature is in <c>X-IoTMonitor-Signature</c>. Empty = unsigned.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Notice language for this channel: <c>zh-CN</c> or <c>en</c>; empty = <c>Alerts:Language</c>. <c>Alerts:RecipientLanguages</c> wins per recipient.</summary>
    public string Language { get; set; } = string.Empty;

    /// <summary>Time zone of this channel's notice times (<c>UTC+8</c>, <c>UTC</c>, <c>Asia/Urumqi</c> …); empty = <c>Alerts:TimeZone</c>. <c>Alerts:RecipientTimeZones</c> wins per recipient.</summary>
    public string TimeZone { get; set; } = string.Empty;

    public IEnumerable<string> Validate()
    {
        if (Urls.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return "Alerts:Webhook:Urls must be absolute http(s) URLs";
        }

        if (Urls.Count > 0 && Secret.Length is > 0 and < 16)
        {
            yield return "Alerts:Webhook:Secret must be at least 16 characters (or empty for unsigned requests)";
        }

        foreach (var problem in NoticeText.NoticeLanguage.Check("Alerts:Webhook:Language", Language, optional: true).Concat(NoticeText.NoticeZone.Check("Alerts:Webhook:TimeZone", TimeZone, optional: true)))
        {
            yield return problem;
        }
    }
}
