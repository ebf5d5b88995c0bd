using System.Globalization;
using System.Text;
using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>
/// A notice in English: the subject line, the full text (e-mail body: what, where, how bad, since
/// when, trend, what to do, then the alert id and the limit's source) and the short text (push,
/// MQTT, InfluxDB). Times on the reader's clock with the zone named (UTC when no zone is given). This is also the text of the webhook's historic
/// <c>subject</c>/<c>text</c>/<c>shortText</c> fields, which stay English (docs/alerts.md, Channels).
/// </summary>
public static class EnglishNoticeText
{
    private const string En = NoticeLanguage.English;

    public static string Subject(AlertNotice n)
    {
        var what = n.Type switch
        {
            AlertEventTypes.Resolved => "RESOLVED",
            AlertEventTypes.Acknowledged => "ACK",
            AlertEventTypes.Late => "LATE",
            AlertEventTypes.Escalated => "ESCALATED " + n.Severity.ToUpperInvariant(),
            AlertEventTypes.Flapping => "FLAPPING",
            _ => n.Severity.ToUpperInvariant(),
        };
        return $"[{what}] {n.RuleName} at {Where(n)}";
    }

    /// <summary>The full text (e-mail body).</summary>
    public static string Body(AlertNotice n, NoticeZone? zone = null)
    {
        var b = new StringBuilder();
        b.Append(Subject(n)).Append('\n').Append('\n');
        b.Append("What: ").Append(n.RuleName);
        var subject = NoticeWords.Subject(n, En);
        var reason = NoticeWords.Reason(n, En);
        var about = string.Join(", ", new[] { subject, reason }.Where(x => x.Length > 0));
        if (about.Length > 0)
        {
            b.Append(" (").Append(about).Append(')');
        }

        b.Append('\n');
        b.Append("Where: ").Append(Where(n)).Append(", device ").Append(n.Device);
        if (n.SiteType.Length > 0)
        {
            b.Append(", ").Append(n.SiteType);
        }

        if (n.Basin.Length > 0)
        {
            b.Append(", basin ").Append(n.Basin);
        }

        if (Coordinates(n) is { } c)
        {
            b.Append(", ").Append(c);
        }

        b.Append('\n');
        b.Append("How bad: ").Append(NoticeWords.Severity(n.Severity, En)).Append(", ").Append(HowBad(n)).Append('\n');
        b.Append("Since: ").Append(Time(n.Since, zone)).Append(n.Type == AlertEventTypes.Late ? " (reported late, from a backlog: history, not a live emergency)" : string.Empty).Append('\n');
        b.Append("Trend: ").Append(n.Trend.Length > 0 ? n.Trend : "n/a").Append('\n');
        b.Append("Do: ").Append(n.Action.Length > 0 ? n.Action : "check the site").Append('\n');
        if (n.By is not null)
        {
            b.Append("By: ").Append(n.By).Append('\n');
        }

        b.Append('\n').Append("Alert ").Append(n.AlertId).Append(", event ").Append(n.Type).Append(" at ").Append(Time(n.At, zone)).Append('\n');
        b.Append("Limit source: ").Append(n.Source).Append('\n');
        return b.ToString();
    }

    /// <summary>The short text (push, MQTT): the same facts, compact.</summary>
    public static string Short(AlertNotice n, NoticeZone? zone = null)
    {
        var b = new StringBuilder();
        b.Append(Subject(n)).Append(": ").Append(HowBad(n)).Append(", since ").Append(DayTime(n.Since, zone));
        if (n.Trend.Length > 0)
        {
            b.Append(", ").Append(n.Trend);
        }

        if (Coordinates(n) is { } c)
        {
            b.Append(". ").Append(c);
        }

        if (n.Action.Length > 0 && n.Type is not (AlertEventTypes.Resolved or AlertEventTypes.Acknowledged))
        {
            b.Append(". Do: ").Append(n.Action);
        }

        b.Append(". Id ").Append(ShortId(n));
        return b.ToString();
    }

    /// <summary>
    /// The SMS: the essential facts first (severity and event, site, quantity with value against the
    /// limit, since when), then the rule, what to do and the id; <see cref="SmsText"/> fits it to segments.
    /// </summary>
    /// <param name="compact">
    /// The shortest wording (no worst value, no "since"): for a UCS-2 message (a site name in Chinese),
    /// whose first segment holds 67 characters instead of 153.
    /// </param>
    public static (string Essential, string Details) Sms(AlertNotice n, string where, bool compact, NoticeZone? zone = null)
    {
        var head = n.Type switch
        {
            AlertEventTypes.Opened => n.Severity.ToUpperInvariant(),
            AlertEventTypes.Escalated => "ESCALATED " + n.Severity.ToUpperInvariant(),
            _ => n.Severity.ToUpperInvariant() + " " + NoticeWords.Event(n.Type, En).ToUpperInvariant(),
        };
        var since = DayTime(n.Since, zone);
        var essential = compact
            ? $"[{head}] {where} {CompactWhat(n)}, {since}."
            : $"[{head}] {where}: {What(n)}, since {since}.";
        var rest = new StringBuilder();
        rest.Append(' ').Append(n.RuleName).Append('.');
        if (n.Action.Length > 0 && n.Type is not (AlertEventTypes.Resolved or AlertEventTypes.Acknowledged))
        {
            rest.Append(" Do: ").Append(n.Action);
        }

        rest.Append(" Id ").Append(ShortId(n));
        return (essential, rest.ToString());
    }

    public static string SmsWhere(AlertNotice n) => n.SiteName.Length > 0 ? n.SiteName : n.Site;

    /// <summary>A rule's limit in words ("6–9 pH", "rise ≥ 0.5 m in 30 min").</summary>
    public static string LimitOf(AlertRule rule)
    {
        var u = Validation.Quantities.UnitOf(rule.Kind == RuleKind.Battery ? "device.battery" : rule.Quantity);
        var unit = u.Length > 0 ? " " + u : string.Empty;
        return rule.Kind switch
        {
            RuleKind.Threshold when rule.Above is { } a && rule.Below is { } b => $"{RuleEvaluator.Fmt(b)}–{RuleEvaluator.Fmt(a)}{unit}",
            RuleKind.Threshold when rule.Above is { } a => $"> {RuleEvaluator.Fmt(a)}{unit}",
            RuleKind.Threshold when rule.Below is { } b => $"< {RuleEvaluator.Fmt(b)}{unit}",
            RuleKind.Rate => string.Join(" or ", new[]
            {
                rule.RiseBy is { } r ? $"rise ≥ {RuleEvaluator.Fmt(r)}{unit}" : null,
                rule.FallBy is { } f ? $"fall ≥ {RuleEvaluator.Fmt(f)}{unit}" : null,
            }.Where(x => x is not null)) + $" in {RuleEvaluator.Minutes(rule.WindowSeconds)}",
            RuleKind.Battery => $"< {RuleEvaluator.Fmt(rule.Below ?? 0)}{unit}" + (rule.ExhaustionHours > 0 ? $" or empty within {rule.ExhaustionHours:0} h" : string.Empty),
            RuleKind.Silence => $"{rule.MissedReports} announced reports missed",
            RuleKind.ProbeFault => $"{rule.Samples} flagged or identical readings in a row",
            RuleKind.Allocation => $"> {RuleEvaluator.Fmt((rule.Above ?? 1) * 100)} % of the channel's allocation",
            RuleKind.NoFlow => $"flow ≤ {RuleEvaluator.Fmt(rule.Below ?? 0)}{unit} (or the delivery's least flow) {RuleEvaluator.Minutes(rule.MinDurationSeconds)} into a scheduled delivery",
            _ => string.Empty,
        };
    }

    private static string ShortId(AlertNotice n) => n.AlertId[..Math.Min(12, n.AlertId.Length)];

    private static string Where(AlertNotice n) => n.SiteName.Length > 0 && n.SiteName != n.Site ? $"{n.SiteName} ({n.Site})" : n.Site;

    private static string? Coordinates(AlertNotice n) => n.Latitude is { } lat && n.Longitude is { } lon
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Abs(lat):0.#####}{(lat >= 0 ? 'N' : 'S')} {Math.Abs(lon):0.#####}{(lon >= 0 ? 'E' : 'W')}")
        : null;

    /// <summary>"water level 3.72 m (limit &gt; 3.5 m)"; a notice without a value states the limit.</summary>
    private static string What(AlertNotice n)
    {
        var subject = NoticeWords.Subject(n, En);
        var text = HowBad(n);
        return subject.Length > 0 ? subject + " " + text : text;
    }

    /// <summary>"water level 3.72m, limit &gt; 3.5m": units set close, as SMS writers do, so the time and its zone still fit a UCS-2 first segment.</summary>
    private static string CompactWhat(AlertNotice n)
    {
        var subject = NoticeWords.Subject(n, En);
        var limit = n.Unit.Length > 0 ? n.Limit.Replace(" " + n.Unit, n.Unit, StringComparison.Ordinal) : n.Limit;
        if (n.Value is not { } v)
        {
            return $"{subject} {limit}".Trim();
        }

        var text = $"{subject} {RuleEvaluator.Fmt(v)}{n.Unit}".Trim();
        return limit.Length > 0 ? $"{text}, limit {limit}" : text;
    }

    private static string HowBad(AlertNotice n)
    {
        if (n.Value is not { } v)
        {
            return n.Limit;
        }

        var text = $"{RuleEvaluator.Fmt(v)}{(n.Unit.Length > 0 ? " " + n.Unit : string.Empty)}";
        if (n.Limit.Length > 0)
        {
            text += $" (limit {n.Limit})";
        }

        if (n.Worst is { } w && w != v)
        {
            text += $", worst {RuleEvaluator.Fmt(w)}";
        }

        return text;
    }

    // times on the reader's clock with the zone named; no zone (the machine texts of AlertNotice) = UTC
    private static string Time(DateTimeOffset t, NoticeZone? zone) =>
        (zone ?? NoticeZone.Utc).Local(t).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + (zone ?? NoticeZone.Utc).Label(t);

    private static string DayTime(DateTimeOffset t, NoticeZone? zone) =>
        (zone ?? NoticeZone.Utc).Local(t).ToString("dd MMM HH:mm", CultureInfo.InvariantCulture) + " " + (zone ?? NoticeZone.Utc).Label(t);
}
