using System.Globalization;

namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>
/// The time zone a notice's times are written in, always named beside them ("UTC+8"). The readers are
/// in China, so China Standard Time (UTC+8, no daylight saving since 1991) is the default in both
/// languages; another zone is chosen per recipient (<c>Alerts:RecipientTimeZones:{address, number or
/// robot name}</c>), per channel (<c>Alerts:&lt;Channel&gt;:TimeZone</c>) or for the gateway
/// (<c>Alerts:TimeZone</c>). A value is <c>UTC</c>, a fixed offset (<c>UTC+8</c>, <c>UTC-03:30</c>) or an
/// IANA zone id (<c>Asia/Shanghai</c>, <c>Asia/Urumqi</c>, <c>Europe/Berlin</c>; the zone's offset at the
/// event's time is used and named).
/// </summary>
public sealed class NoticeZone
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private readonly TimeZoneInfo? _zone;
    private readonly TimeSpan _fixed;

    private NoticeZone(string id, TimeZoneInfo? zone, TimeSpan offset)
    {
        Id = id;
        _zone = zone;
        _fixed = offset;
    }

    /// <summary>China Standard Time as a fixed UTC+8 (needs no tz database on the gateway's machine).</summary>
    public static NoticeZone China { get; } = new("UTC+8", null, ChinaOffset);

    public static NoticeZone Utc { get; } = new("UTC", null, TimeSpan.Zero);

    /// <summary>The value as configured (normalised for fixed offsets).</summary>
    public string Id { get; }

    /// <summary>Whether times at <paramref name="at"/> read as China's clock (UTC+8).</summary>
    public bool IsChinaTime(DateTimeOffset at) => Offset(at) == ChinaOffset;

    public TimeSpan Offset(DateTimeOffset at) => _zone?.GetUtcOffset(at) ?? _fixed;

    /// <summary><paramref name="at"/> on this zone's clock.</summary>
    public DateTimeOffset Local(DateTimeOffset at) => at.ToOffset(Offset(at));

    /// <summary>The zone's name at <paramref name="at"/>: <c>UTC</c>, <c>UTC+8</c>, <c>UTC-3:30</c>.</summary>
    public string Label(DateTimeOffset at)
    {
        var o = Offset(at);
        if (o == TimeSpan.Zero)
        {
            return "UTC";
        }

        var sign = o < TimeSpan.Zero ? "-" : "+";
        var a = o.Duration();
        return a.Minutes == 0
            ? string.Create(CultureInfo.InvariantCulture, $"UTC{sign}{a.Hours}")
            : string.Create(CultureInfo.InvariantCulture, $"UTC{sign}{a.Hours}:{a.Minutes:00}");
    }

    /// <summary>A configured zone, or null when <paramref name="value"/> names none (a configuration error).</summary>
    public static NoticeZone? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var v = value.Trim();
        if (v.Equals("UTC", StringComparison.OrdinalIgnoreCase) || v.Equals("Z", StringComparison.Ordinal))
        {
            return Utc;
        }

        if (v.StartsWith("UTC", StringComparison.OrdinalIgnoreCase) && v.Length > 4 && v[3] is '+' or '-')
        {
            var parts = v[4..].Split(':');
            if (parts.Length <= 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h <= 14
                && (parts.Length == 1 || (parts[1].Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m0) && m0 < 60)))
            {
                var m = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
                var offset = new TimeSpan(h, m, 0) * (v[3] == '-' ? -1 : 1);
                return offset == ChinaOffset ? China : offset == TimeSpan.Zero ? Utc : new NoticeZone(v.ToUpperInvariant(), null, offset);
            }

            return null;
        }

        if (v is "Asia/Shanghai" or "PRC" or "Asia/Chongqing" or "Asia/Harbin")
        {
            return China;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(v, out var zone) ? new NoticeZone(v, zone, TimeSpan.Zero) : null;
    }

    /// <summary>
    /// The zone of one notice: the recipient's own (<paramref name="perRecipient"/>), else the channel's,
    /// else the gateway's (<paramref name="fallback"/>), else China's. Invalid entries were refused at start.
    /// </summary>
    public static NoticeZone Choose(IReadOnlyDictionary<string, string> perRecipient, string recipient, string? channel, string? fallback) =>
        (perRecipient.TryGetValue(recipient, out var own) ? Parse(own) : null) ?? Parse(channel) ?? Parse(fallback) ?? China;

    /// <summary>Start-up check of a time-zone key; empty is allowed when <paramref name="optional"/>.</summary>
    public static IEnumerable<string> Check(string key, string? value, bool optional)
    {
        if (optional && string.IsNullOrEmpty(value))
        {
            yield break;
        }

        if (Parse(value) is null)
        {
            yield return $"{key} '{value}' is not a time zone: UTC, a fixed offset such as UTC+8 or UTC-03:30, or an IANA zone id such as Asia/Shanghai";
        }
    }
}
