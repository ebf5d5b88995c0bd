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

    public IEnumerable<string> Validate()
    {
        if (UrlTemplate.Length > 0 && !UrlTemplate.StartsWith("http", StringComparison.Ordinal))
        {
            yield return "Alerts:Sms:UrlTemplate must be an http(s) URL template";
        }
    }
}
