using System.Globalization;
using System.Text;

using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>
/// A notice in Simplified Chinese for people reading a chat group on a phone: the essential facts
/// first (what happened and how bad, where, which quantity and its value against the limit, when in
/// China time, UTC+8), then the rule, what to do, the device and the alert id. Site and device
/// display names stay as entered.
/// </summary>
public static class ChineseNoticeText
{
    /// <summary>China Standard Time; China keeps no daylight saving time.</summary>
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private static readonly Dictionary<string, string> QuantityNames = new(StringComparer.Ordinal)
    {
        ["water.ph"] = "pH",
        ["water.ec"] = "电导率",
        ["water.tds"] = "溶解性总固体",
        ["water.turbidity"] = "浊度",
        ["water.do"] = "溶解氧",
        ["water.temp"] = "水温",
        ["water.level"] = "水位",
        ["soil.moisture"] = "土壤含水量",
        ["soil.temp"] = "土壤温度",
        ["soil.ec"] = "土壤电导率",
        ["soil.n"] = "土壤氮",
        ["soil.p"] = "土壤磷",
        ["soil.k"] = "土壤钾",
        ["soil.ph"] = "土壤pH",
        ["air.temp"] = "气温",
        ["air.rh"] = "相对湿度",
        ["air.pressure"] = "气压",
        ["air.pm1"] = "PM1",
        ["air.pm25"] = "PM2.5",
        ["air.pm10"] = "PM10",
        ["air.co2"] = "二氧化碳",
        ["device.battery"] = "电池电压",
        ["device.rssi"] = "信号强度",
    };

    /// <summary>The Chinese name of a quantity code; the code itself when the vocabulary has none (e.g. a wildcard).</summary>
    public static string QuantityName(string? code) =>
        code is null ? string.Empty : QuantityNames.TryGetValue(code, out var name) ? name : code;

    public static string SeverityName(string severity) => severity switch
    {
        "critical" => "严重",
        "warning" => "警告",
        "info" => "提示",
        _ => severity,
    };

    public static string EventName(string type) => type switch
    {
        AlertEventTypes.Opened => "告警",
        AlertEventTypes.Renotified => "告警未确认",
        AlertEventTypes.Escalated => "告警升级",
        AlertEventTypes.Acknowledged => "已确认",
        AlertEventTypes.Resolved => "已恢复",
        AlertEventTypes.Reopened => "再次告警",
        AlertEventTypes.Flapping => "反复告警",
        AlertEventTypes.Late => "补报(历史数据)",
        _ => type,
    };

    /// <summary>A rule's limit in words, as <see cref="AlertNotice.LimitOf"/> does in English.</summary>
    public static string LimitOf(AlertRule rule)
    {
        var u = AlertNotice.UnitOf(rule.Kind == RuleKind.Battery ? "device.battery" : rule.Quantity);
        var unit = u.Length > 0 ? " " + u : string.Empty;
        return rule.Kind switch
        {
            RuleKind.Threshold when rule.Above is { } a && rule.Below is { } b => $"{RuleEvaluator.Fmt(b)}–{RuleEvaluator.Fmt(a)}{unit}",
            RuleKind.Threshold when rule.Above is { } a => $"> {RuleEvaluator.Fmt(a)}{unit}",
            RuleKind.Threshold when rule.Below is { } b => $"< {RuleEvaluator.Fmt(b)}{unit}",
            RuleKind.Rate => string.Join("或", new[]
            {
                rule.RiseBy is { } r ? $"上升 ≥ {RuleEvaluator.Fmt(r)}{unit}" : null,
                rule.FallBy is { } f ? $"下降 ≥ {RuleEvaluator.Fmt(f)}{unit}" : null,
            }.Where(x => x is not null)) + $"({MinutesZh(rule.WindowSeconds)}内)",
            RuleKind.Battery => $"< {RuleEvaluator.Fmt(rule.Below ?? 0)}{unit}" + (rule.ExhaustionHours > 0 ? $"或 {rule.ExhaustionHours:0} 小时内耗尽" : string.Empty),
            RuleKind.Silence => $"连续 {rule.MissedReports} 次未按时上报",
            RuleKind.ProbeFault => $"连续 {rule.Samples} 个读数异常或不变",
            _ => string.Empty,
        };
    }

    /// <summary>
    /// The short text (chat message): headline, value, time, then rule, action, device and id.
    /// <code>
    /// 【严重·告警】清水桥(river-1)
    /// 水位 4 m(限值 &gt; 3.5 m)
    /// 时间:2026-07-01 20:00 起(UTC+8)
    /// 规则:水位超过警戒水位
    /// 处置:通知下游群众转移
    /// 设备:wl-02 · 编号 0193a1b2c3d4
    /// </code>
    /// </summary>
    public static string Text(AlertNotice n)
    {
        var b = new StringBuilder(256);
        b.Append('【').Append(SeverityName(n.Severity)).Append('·').Append(EventName(n.Type)).Append('】').Append(Where(n)).Append('\n');
        b.Append(What(n)).Append('\n');
        b.Append("时间:").Append(When(n)).Append('\n');
        b.Append("规则:").Append(n.RuleNameZh.Length > 0 ? n.RuleNameZh : n.RuleName).Append('\n');
        var action = n.ActionZh.Length > 0 ? n.ActionZh : n.Action;
        if (action.Length > 0 && n.Type is not (AlertEventTypes.Resolved or AlertEventTypes.Acknowledged))
        {
            b.Append("处置:").Append(action).Append('\n');
        }

        if (n.By is not null)
        {
            b.Append("操作人:").Append(n.By).Append('\n');
        }

        b.Append("设备:").Append(n.Device.Length > 0 ? n.Device : "-").Append(" · 编号 ").Append(n.AlertId.AsSpan(0, Math.Min(12, n.AlertId.Length)));
        return b.ToString();
    }

    /// <summary>The same facts as markdown (headline in bold, one line per fact), for robots set to <c>markdown</c>.</summary>
    public static string Markdown(AlertNotice n)
    {
        var lines = Text(n).Split('\n');
        var b = new StringBuilder(300);
        b.Append("**").Append(lines[0]).Append("**");
        foreach (var line in lines.Skip(1))
        {
            b.Append("\n\n").Append(line);
        }

        return b.ToString();
    }

    /// <summary>The headline alone (DingTalk's markdown title, shown in the chat list).</summary>
    public static string Title(AlertNotice n) => $"【{SeverityName(n.Severity)}·{EventName(n.Type)}】{Where(n)}";

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxBytes"/> UTF-8 bytes on a character boundary, with an ellipsis.</summary>
    public static string CutUtf8(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var budget = maxBytes - Encoding.UTF8.GetByteCount("…");
        var end = 0;
        var used = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget)
            {
                break;
            }

            used += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }

        return text[..end] + "…";
    }

    private static string Where(AlertNotice n) => n.SiteName.Length > 0 && n.SiteName != n.Site ? $"{n.SiteName}({n.Site})" : n.Site;

    private static string What(AlertNotice n)
    {
        var quantity = n.Unit == "missed" ? "上报" : QuantityName(n.Quantity ?? (n.Unit == "V" ? "device.battery" : null));
        var limit = n.LimitZh.Length > 0 ? n.LimitZh : n.Limit;
        if (n.Value is not { } v)
        {
            return $"{quantity}:{limit}".TrimStart(':');
        }

        var unit = n.Unit == "missed" ? " 次未报" : n.Unit.Length > 0 ? " " + n.Unit : string.Empty;
        var text = $"{quantity} {RuleEvaluator.Fmt(v)}{unit}";
        if (limit.Length > 0)
        {
            text += $"(限值 {limit})";
        }

        if (n.Worst is { } w && w != v)
        {
            text += $",最严重 {RuleEvaluator.Fmt(w)}";
        }

        return text;
    }

    private static string When(AlertNotice n)
    {
        static string Local(DateTimeOffset t) => t.ToOffset(ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return n.Type switch
        {
            AlertEventTypes.Resolved => $"{Local(n.At)} 恢复,{Local(n.Since)} 起(UTC+8)",
            AlertEventTypes.Opened or AlertEventTypes.Late => $"{Local(n.Since)} 起(UTC+8)",
            _ => $"{Local(n.At)},{Local(n.Since)} 起(UTC+8)",
        };
    }

    private static string MinutesZh(long seconds) => seconds < 120 ? $"{seconds} 秒" : $"{seconds / 60} 分钟";
}
