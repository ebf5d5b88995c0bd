namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>
/// The one place a channel gets a notice's text from, for its reader (<see cref="NoticeReader"/>): in
/// Simplified Chinese (<see cref="ChineseNoticeText"/>, facts first) or English
/// (<see cref="EnglishNoticeText"/>), with every time on the reader's clock and the zone named
/// (UTC+8 unless configured otherwise). Channels format no text of their own. The overloads taking a
/// language alone write China's time (the default zone).
/// </summary>
public static class NoticeWriter
{
    /// <summary>E-mail subject.</summary>
    public static string Subject(AlertNotice n, NoticeReader r) =>
        NoticeLanguage.IsChinese(r.Language) ? ChineseNoticeText.Subject(n) : EnglishNoticeText.Subject(n);

    /// <summary>E-mail body: every fact, the alert id and the limit's source.</summary>
    public static string Body(AlertNotice n, NoticeReader r) =>
        NoticeLanguage.IsChinese(r.Language) ? ChineseNoticeText.Body(n, r.Zone) : EnglishNoticeText.Body(n, r.Zone);

    /// <summary>A short text (MQTT, webhook, a chat robot's text message).</summary>
    public static string Short(AlertNotice n, NoticeReader r) =>
        NoticeLanguage.IsChinese(r.Language) ? ChineseNoticeText.Text(n, r.Zone) : EnglishNoticeText.Short(n, r.Zone);

    /// <summary>A chat robot's markdown message.</summary>
    public static string Markdown(AlertNotice n, NoticeReader r) =>
        NoticeLanguage.IsChinese(r.Language) ? ChineseNoticeText.Markdown(n, r.Zone) : EnglishNoticeText.Short(n, r.Zone);

    /// <summary>A chat list title (DingTalk markdown).</summary>
    public static string Title(AlertNotice n, NoticeReader r) =>
        NoticeLanguage.IsChinese(r.Language) ? ChineseNoticeText.Title(n) : EnglishNoticeText.Subject(n);

    /// <summary>The SMS text, fitted to at most <paramref name="maxSegments"/> segments (<see cref="SmsText"/>).</summary>
    public static string Sms(AlertNotice n, NoticeReader r, int maxLength, int maxSegments) =>
        SmsText.Compose(n, r.Language, maxLength, maxSegments, r.Zone);

    public static string Subject(AlertNotice n, string language) => Subject(n, NoticeReader.Of(language));

    public static string Body(AlertNotice n, string language) => Body(n, NoticeReader.Of(language));

    public static string Short(AlertNotice n, string language) => Short(n, NoticeReader.Of(language));

    public static string Markdown(AlertNotice n, string language) => Markdown(n, NoticeReader.Of(language));

    public static string Title(AlertNotice n, string language) => Title(n, NoticeReader.Of(language));

    public static string Sms(AlertNotice n, string language, int maxLength, int maxSegments) => Sms(n, NoticeReader.Of(language), maxLength, maxSegments);
}
