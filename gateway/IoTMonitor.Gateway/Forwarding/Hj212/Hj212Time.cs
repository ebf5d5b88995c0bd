using System.Globalization;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>
/// Times as the packets carry them: local wall-clock time at a fixed UTC offset (the standard names no
/// time zone; data loggers stamp Beijing time, so the default is UTC+8). QN is yyyyMMddHHmmssSSS,
/// DataTime/BeginTime/EndTime/SystemTime yyyyMMddHHmmss.
/// </summary>
public sealed class Hj212Time(TimeSpan offset)
{
    public TimeSpan Offset { get; } = offset;

    public string DataTime(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToOffset(Offset).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    public string Qn(DateTimeOffset at) => at.ToOffset(Offset).ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    /// <summary>Parses yyyyMMddHHmmss in this offset; false for anything else.</summary>
    public bool TryParse(string? text, out DateTimeOffset at)
    {
        at = default;
        if (text is null || text.Length != 14 || !DateTime.TryParseExact(text, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }

        at = new DateTimeOffset(local, Offset);
        return true;
    }

    /// <summary>Start (Unix seconds) of the period of <paramref name="periodSeconds"/> holding <paramref name="unixSeconds"/>, aligned to local midnight.</summary>
    public long PeriodStart(long unixSeconds, long periodSeconds) => LocalPeriods.Start(unixSeconds, periodSeconds, Offset);
}
