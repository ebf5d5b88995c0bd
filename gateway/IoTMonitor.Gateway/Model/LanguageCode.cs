// The languages IoTMonitor writes for people, and how a configured or locale value names one. Used by
// the gateway's notices (Alerts/NoticeText/NoticeLanguage) and compiled into the CLI as a linked file
// (gateway/IoTMonitor.Cli/IoTMonitor.Cli.csproj) for what `iotmon` prints, under the CLI's namespace
// like the quantity table, so both read a language code the same way.
#if IOTMON_CLI
namespace IoTMonitor.Cli.Vocabulary;
#else
namespace IoTMonitor.Gateway.Model;
#endif

public static class LanguageCode
{
    public const string Chinese = "zh-CN";

    public const string English = "en";

    /// <summary>
    /// The canonical code of a language value: <c>zh</c>, <c>zh-CN</c>, <c>zh_CN</c>, <c>zh-Hans</c> (any
    /// case, any region or encoding suffix such as <c>zh_CN.UTF-8</c>) → zh-CN; <c>en</c>, <c>en-US</c>,
    /// <c>en_GB.UTF-8</c> … → en; anything else → null, for the caller to refuse or fall back from.
    /// Traditional Chinese (Hant, TW, HK) is not written: null, rather than Simplified to a zh-TW reader.
    /// </summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var code = value.Trim();
        var end = code.IndexOfAny(['-', '_', '.', '@']);
        var primary = (end < 0 ? code : code[..end]).ToLowerInvariant();
        if (primary == "zh")
        {
            var rest = end < 0 ? string.Empty : code[end..].ToUpperInvariant();
            return rest.Contains("HANT", StringComparison.Ordinal) || rest.Contains("TW", StringComparison.Ordinal) || rest.Contains("HK", StringComparison.Ordinal) ? null : Chinese;
        }

        return primary == "en" ? English : null;
    }
}
