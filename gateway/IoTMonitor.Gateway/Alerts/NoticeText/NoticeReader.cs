namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>
/// Who reads one notice, as far as its text cares: the language (<see cref="NoticeLanguage.Choose"/>)
/// and the time zone its times are written in (<see cref="NoticeZone.Choose"/>), each per recipient,
/// else per channel, else for the gateway.
/// </summary>
public readonly record struct NoticeReader(string Language, NoticeZone Zone)
{
    /// <summary>
    /// The reader behind <paramref name="recipient"/> of a channel whose own settings are
    /// <paramref name="channelLanguage"/> and <paramref name="channelZone"/> (empty = the gateway's);
    /// <paramref name="fallbackLanguage"/> when neither the recipient nor the channel names a language.
    /// </summary>
    public static NoticeReader For(AlertsOptions alerts, string recipient, string? channelLanguage, string? channelZone, string fallbackLanguage) => new(
        NoticeLanguage.Choose(alerts.RecipientLanguages, recipient, channelLanguage, fallbackLanguage),
        NoticeZone.Choose(alerts.RecipientTimeZones, recipient, channelZone, alerts.TimeZone));

    /// <summary>A reader of <paramref name="language"/> on China's clock (the default zone).</summary>
    public static NoticeReader Of(string language) => new(language, NoticeZone.China);
}
