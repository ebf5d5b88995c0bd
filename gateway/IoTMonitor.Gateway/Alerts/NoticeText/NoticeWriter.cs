namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>
/// The one place a channel gets a notice's text from, in the language chosen for the recipient
/// (<see cref="NoticeLanguage.Choose"/>): Simplified Chinese (<see cref="ChineseNoticeText"/>, facts
/// first, China time) or English (<see cref="EnglishNoticeText"/>, UTC). Channels format no text of their own.
/// </summary>
public static class NoticeWriter
{
    /// <summary>E-mail subject.</summary>
    public static string Subject(AlertNotice n, string language) =>
        NoticeLanguage.IsChinese(language) ? ChineseNoticeText.Subject(n) : EnglishNoticeText.Subject(n);

    /// <summary>E-mail body: every fact, the alert id and the limit's source.</summary>
    public static string Body(AlertNotice n, string language) =>
        NoticeLanguage.IsChinese(language) ? ChineseNoticeText.Body(n) : EnglishNoticeText.Body(n);

    /// <summary>A short text (MQTT, webhook, a chat robot's text message).</summary>
    public static string Short(AlertNotice n, string language) =>
        NoticeLanguage.IsChinese(language) ? ChineseNoticeText.Text(n) : EnglishNoticeText.Short(n);

    /// <summary>A chat robot's markdown message.</summary>
    public static string Markdown(AlertNotice n, string language) =>
        NoticeLanguage.IsChinese(language) ? ChineseNoticeText.Markdown(n) : EnglishNoticeText.Short(n);

    /// <summary>A chat list title (DingTalk markdown).</summary>
    public static string Title(AlertNotice n, string language) =>
        NoticeLanguage.IsChinese(language) ? ChineseNoticeText.Title(n) : EnglishNoticeText.Subject(n);

    /// <summary>The SMS text, fitted to at most <paramref name="maxSegments"/> segments (<see cref="SmsText"/>).</summary>
    public static string Sms(AlertNotice n, string language, int maxLength, int maxSegments) =>
        SmsText.Compose(n, language, maxLength, maxSegments);
}
