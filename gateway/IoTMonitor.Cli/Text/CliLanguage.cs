namespace IoTMonitor.Cli.Text;

/// <summary>
/// The language of what <c>iotmon</c> prints for a technician: <c>--lang</c> when given, else the
/// POSIX locale variables in their order of precedence (LC_ALL, then LC_MESSAGES, then LANG; a
/// technician's laptop set to <c>zh_CN.UTF-8</c> gets Chinese), else English.
/// </summary>
public static class CliLanguage
{
    public const string Chinese = "zh-CN";

    public const string English = "en";

    /// <summary>zh, zh-CN, zh_CN.UTF-8, zh-Hans → zh-CN; en, en_US.UTF-8, C, POSIX → en; anything else null.</summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var code = value.Trim();
        var end = code.IndexOfAny(['-', '_', '.', '@']);
        var primary = (end < 0 ? code : code[..end]).ToLowerInvariant();
        var rest = end < 0 ? string.Empty : code[end..].ToUpperInvariant();
        return primary switch
        {
            // Traditional Chinese is not written: a zh_TW machine gets English rather than Simplified Chinese
            "zh" when rest.Contains("HANT", StringComparison.Ordinal) || rest.Contains("TW", StringComparison.Ordinal) || rest.Contains("HK", StringComparison.Ordinal) => null,
            "zh" => Chinese,
            "en" or "c" or "posix" => English,
            _ => null,
        };
    }

    /// <summary>The language for <paramref name="option"/> (the <c>--lang</c> value, null when absent) and the environment.</summary>
    public static string Resolve(string? option, Func<string, string?> environment)
    {
        if (option is not null)
        {
            return Normalize(option) ?? throw new CliException($"--lang '{option}' is not a language iotmon speaks: zh-CN (also zh, zh_CN) or en", ExitCodes.BadArguments);
        }

        foreach (var name in new[] { "LC_ALL", "LC_MESSAGES", "LANG" })
        {
            if (environment(name) is { Length: > 0 } value)
            {
                // the first variable set decides, as for every POSIX program; one iotmon cannot read falls back to English
                return Normalize(value) ?? English;
            }
        }

        return English;
    }
}
