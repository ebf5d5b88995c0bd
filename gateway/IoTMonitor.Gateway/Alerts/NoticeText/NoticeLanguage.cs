using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>
/// The languages a notice is written in, and which one a recipient gets. The deployments are Chinese
/// agencies, so Simplified Chinese is the default everywhere; English is chosen per channel
/// (<c>Alerts:Channels:&lt;Name&gt;:Language</c>), for the whole gateway (<c>Alerts:Language</c>) or per
/// recipient (<c>Alerts:RecipientLanguages:{address, number or robot name}</c>).
/// </summary>
public static class NoticeLanguage
{
    public const string Chinese = LanguageCode.Chinese;

    public const string English = LanguageCode.English;

    /// <summary>The canonical code of a configured language (<see cref="LanguageCode.Normalize"/>); null is a configuration error, never a silent fallback.</summary>
    public static string? Normalize(string? value) => LanguageCode.Normalize(value);

    public static bool IsChinese(string language) => language == Chinese;

    /// <summary>
    /// The language of one notice: the recipient's own (<paramref name="perRecipient"/>), else the
    /// channel's (<paramref name="channel"/>), else <paramref name="fallback"/>. Invalid entries were
    /// refused at start (<see cref="Check"/>), so an unknown value here means "not set".
    /// </summary>
    public static string Choose(IReadOnlyDictionary<string, string> perRecipient, string recipient, string? channel, string fallback) =>
        (perRecipient.TryGetValue(recipient, out var own) ? Normalize(own) : null) ?? Normalize(channel) ?? Normalize(fallback) ?? Chinese;

    /// <summary>Start-up check of a language key; empty is allowed when <paramref name="optional"/>.</summary>
    public static IEnumerable<string> Check(string key, string? value, bool optional)
    {
        if (optional && string.IsNullOrEmpty(value))
        {
            yield break;
        }

        if (Normalize(value) is null)
        {
            yield return $"{key} '{value}' is not a notice language: zh-CN (also zh, zh_CN) or en";
        }
    }
}
