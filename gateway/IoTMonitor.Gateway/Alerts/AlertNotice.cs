using System.Globalization;
using System.Text;
using IoTMonitor.Gateway.Validation;

using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>
/// The snapshot of one alert event that every channel formats from (stored as the outbox payload,
/// so a notification sent after a restart says exactly what it would have said before).
/// </summary>
public sealed class AlertNotice
{
    public string EventId { get; set; } = string.Empty;

    public string AlertId { get; set; } = string.Empty;

    /// <summary>opened, renotified, escalated, acknowledged, resolved, late, flapping.</summary>
    public string Type { get; set; } = string.Empty;

    public bool Late { get; set; }

    public string State { get; set; } = string.Empty;

    public string Severity { get; set; } = string.Empty;

    public string RuleId { get; set; } = string.Empty;

    public string RuleName { get; set; } = string.Empty;

    /// <summary>The rule's name in Simplified Chinese (empty: the pack has none).</summary>
    public string RuleNameZh { get; set; } = string.Empty;

    public string Source { get; set; } = string.Empty;

    public string Limit { get; set; } = string.Empty;

    public string Site { get; set; } = string.Empty;

    public string SiteName { get; set; } = string.Empty;

    public string SiteType { get; set; } = string.Empty;

    public string Basin { get; set; } = string.Empty;

    public double? Latitude { get; set; }

    public double? Longitude { get; set; }

    public string Device { get; set; } = string.Empty;

    public string? Quantity { get; set; }

    public string Unit { get; set; } = string.Empty;

    public double? Value { get; set; }

    public double? Worst { get; set; }

    public DateTimeOffset Since { get; set; }

    public DateTimeOffset At { get; set; }

    public string Trend { get; set; } = string.Empty;

    public string Action { get; set; } = string.Empty;

    public string ActionZh { get; set; } = string.Empty;

    /// <summary>The limit in Simplified Chinese (<see cref="ChineseNoticeText.LimitOf"/>).</summary>
    public string LimitZh { get; set; } = string.Empty;

    public string? By { get; set; }

    public string Subject()
    {
        var what = Type switch
        {
            AlertEventTypes.Resolved => "RESOLVED",
            AlertEventTypes.Acknowledged => "ACK",
            AlertEventTypes.Late => "LATE",
            AlertEventTypes.Escalated => "ESCALATED " + Severity.ToUpperInvariant(),
            AlertEventTypes.Flapping => "FLAPPING",
            _ => Severity.ToUpperInvariant(),
        };
        return $"[{what}] {RuleName} at {Where()}";
    }

    /// <summary>The full text (e-mail body): what, where, how bad, since when, trend, what to do.</summary>
    public string Text()
    {
        var b = new StringBuilder();
        b.Append(Subject()).Append('\n').Append('\n');
        b.Append("What: ").Append(RuleName);
        if (Quantity is not null)
        {
            b.Append(" (").Append(Quantity).Append(')');
        }

        b.Append('\n');
        b.Append("Where: ").Append(Where()).Append(", device ").Append(Device);
        if (SiteType.Length > 0)
        {
            b.Append(", ").Append(SiteType);
        }

        if (Basin.Length > 0)
        {
            b.Append(", basin ").Append(Basin);
        }

        if (Coordinates() is { } c)
        {
            b.Append(", ").Append(c);
        }

        b.Append('\n');
        b.Append("How bad: ").Append(Severity).Append(", ").Append(HowBad()).Append('\n');
        b.Append("Since: ").Append(Time(Since)).Append(Type == AlertEventTypes.Late ? " (reported late, from a backlog: history, not a live emergency)" : string.Empty).Append('\n');
        b.Append("Trend: ").Append(Trend.Length > 0 ? Trend : "n/a").Append('\n');
        b.Append("Do: ").Append(Action.Length > 0 ? Action : "check the site").Append('\n');
        if (By is not null)
        {
            b.Append("By: ").Append(By).Append('\n');
        }

        b.Append('\n').Append("Alert ").Append(AlertId).Append(", event ").Append(Type).Append(" at ").Append(Time(At)).Append('\n');
        b.Append("Limit source: ").Append(Source).Append('\n');
        return b.ToString();
    }

    /// <summary>The short text (SMS, push): the same facts, compact.</summary>
    public string ShortText()
    {
        var b = new StringBuilder();
        b.Append(Subject()).Append(": ").Append(HowBad()).Append(", since ").Append(Since.UtcDateTime.ToString("dd MMM HH:mm 'UTC'", CultureInfo.InvariantCulture));
        if (Trend.Length > 0)
        {
            b.Append(", ").Append(Trend);
        }

        if (Coordinates() is { } c)
        {
            b.Append(". ").Append(c);
        }

        if (Action.Length > 0 && Type is not (AlertEventTypes.Resolved or AlertEventTypes.Acknowledged))
        {
            b.Append(". Do: ").Append(Action);
        }

        b.Append(". Id ").Append(AlertId.AsSpan(0, Math.Min(12, AlertId.Length)));
        return b.ToString();
    }

    private string Where() => SiteName.Length > 0 && SiteName != Site ? $"{SiteName} ({Site})" : Site;

    private string? Coordinates() => Latitude is { } lat && Longitude is { } lon
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Abs(lat):0.#####}{(lat >= 0 ? 'N' : 'S')} {Math.Abs(lon):0.#####}{(lon >= 0 ? 'E' : 'W')}")
        : null;

    private string HowBad()
    {
        if (Value is not { } v)
        {
            return Limit;
        }

        var text = $"{RuleEvaluator.Fmt(v)}{(Unit.Length > 0 ? " " + Unit : string.Empty)}";
        if (Limit.Length > 0)
        {
            text += $" (limit {Limit})";
        }

        if (Worst is { } w && w != v)
        {
            text += $", worst {RuleEvaluator.Fmt(w)}";
        }

        return text;
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Unit text of a quantity code in notices, from the vocabulary (<see cref="Quantities"/>); empty for a wildcard.</summary>
    public static string UnitOf(string? quantity) => Quantities.UnitOf(quantity);

    /// <summary>Battery rules judge the node's battery voltage: the unit of device.battery.</summary>
    private const string BatteryQuantity = "device.battery";

    public static string LimitOf(AlertRule rule)
    {
        var u = UnitOf(rule.Kind == RuleKind.Battery ? BatteryQuantity : rule.Quantity);
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
            _ => string.Empty,
        };
    }
}
