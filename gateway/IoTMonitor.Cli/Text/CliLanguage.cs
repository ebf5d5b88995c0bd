using IoTMonitor.Cli.Vocabulary;

namespace IoTMonitor.Cli.Text;

/// <summary>
/// The language of what <c>iotmon</c> prints for a technician: <c>--lang</c> when given, else the
/// POSIX locale variables in their order of precedence (LC_ALL, then LC_MESSAGES, then LANG; a
/// technician's laptop set to <c>zh_CN.UTF-8</c> gets Chinese), else English.
/// </summary>
public static class CliLanguage
{
    public const string Chinese = LanguageCode.Chinese;

    public const string English = LanguageCode.English;

    /// <summary>The language for <paramref name="option"/> (the <c>--lang</c> value, null when absent) and the environment.</summary>
    public static string Resolve(string? option, Func<string, string?> environment)
    {
        if (option is not null)
        {
            return LanguageCode.Normalize(option) ?? throw new CliException($"--lang '{option}' is not a language iotmon speaks: zh-CN (also zh, zh_CN) or en", ExitCodes.BadArguments);
        }

        foreach (var name in new[] { "LC_ALL", "LC_MESSAGES", "LANG" })
        {
            if (environment(name) is { Length: > 0 } value)
            {
                // the first variable set decides, as for every POSIX program; one iotmon cannot read (C, POSIX,
                // zh_TW, fr_FR …) falls back to English
                return LanguageCode.Normalize(value) ?? English;
            }
        }

        return English;
    }
}
