namespace IoTMonitor.Gateway.Alerts.Channels.Email;

/// <summary><c>Alerts:Email</c> (or <c>Alerts:Channels:Email</c>).</summary>
public sealed class EmailOptions
{
    /// <summary>SMTP server; empty = channel off.</summary>
    public string Host { get; set; } = string.Empty;

    public int Port { get; set; } = 587;

    /// <summary>None, Auto, StartTls, StartTlsWhenAvailable or SslOnConnect (MailKit SecureSocketOptions).</summary>
    public string Security { get; set; } = "Auto";

    public string User { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    public string From { get; set; } = string.Empty;

    /// <summary>Notice language for this channel: <c>zh-CN</c> or <c>en</c>; empty = <c>Alerts:Language</c>. <c>Alerts:RecipientLanguages</c> wins per recipient.</summary>
    public string Language { get; set; } = string.Empty;

    /// <summary>Time zone of this channel's notice times (<c>UTC+8</c>, <c>UTC</c>, <c>Asia/Urumqi</c> …); empty = <c>Alerts:TimeZone</c>. <c>Alerts:RecipientTimeZones</c> wins per recipient.</summary>
    public string TimeZone { get; set; } = string.Empty;

    public IEnumerable<string> Validate()
    {
        if (Host.Length > 0 && string.IsNullOrWhiteSpace(From))
        {
            yield return "Alerts:Email:From must be set when Alerts:Email:Host is";
        }

        foreach (var problem in NoticeText.NoticeLanguage.Check("Alerts:Email:Language", Language, optional: true).Concat(NoticeText.NoticeZone.Check("Alerts:Email:TimeZone", TimeZone, optional: true)))
        {
            yield return problem;
        }
    }
}
