using System.Globalization;

namespace IoTMonitor.Cli;

/// <summary>Durations as typed on the command line: 90s, 10m, 2h, 7d (or a plain number of seconds).</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var unit = char.ToLowerInvariant(text[^1]);
        var number = char.IsDigit(unit) ? text : text[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || double.IsInfinity(n))
        {
            return false;
        }

        value = unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ when char.IsDigit(unit) => TimeSpan.FromSeconds(n),
            _ => TimeSpan.MinValue,
        };
        return value != TimeSpan.MinValue;
    }

    /// <summary>
    /// A time for the API's from/to: "24h" (that long ago), an ISO 8601 time or Unix seconds
    /// (passed through).
    /// </summary>
    public static string? ToApiTime(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!text.All(char.IsDigit) && TryParse(text, out var ago))
        {
            return now.Add(-ago).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        return text;
    }

    public static string Format(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{(int)t.TotalDays}d {t.Hours}h" : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes:00}m" : $"{t.Minutes}m {t.Seconds:00}s";
}
