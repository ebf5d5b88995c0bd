using IoTMonitor.Gateway.Alerts.NoticeText;
using IoTMonitor.Gateway.Validation;

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

    /// <summary>The rule's kind (threshold, rate, silence, battery, probe_fault): the reason in words (<see cref="NoticeWords.Reason"/>).</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>The English subject line (<see cref="EnglishNoticeText"/>; every language: <see cref="NoticeWriter"/>).</summary>
    public string Subject() => EnglishNoticeText.Subject(this);

    /// <summary>The English full text (e-mail body).</summary>
    public string Text() => EnglishNoticeText.Body(this);

    /// <summary>The English short text.</summary>
    public string ShortText() => EnglishNoticeText.Short(this);

    /// <summary>Unit text of a quantity code in notices, from the vocabulary (<see cref="Quantities"/>); empty for a wildcard.</summary>
    public static string UnitOf(string? quantity) => Quantities.UnitOf(quantity);

    /// <summary>A rule's limit in English words (<see cref="EnglishNoticeText.LimitOf"/>).</summary>
    public static string LimitOf(AlertRule rule) => EnglishNoticeText.LimitOf(rule);
}
