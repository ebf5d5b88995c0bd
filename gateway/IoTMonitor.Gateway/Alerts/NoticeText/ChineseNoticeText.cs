using System.Globalization;
using System.Text;

using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>
/// A notice in Simplified Chinese for people reading a chat group on a phone: the essential facts
/// first (what happened and how bad, where, which quantity and its value against the limit, when, on
/// the reader's clock with the zone named: <see cref="NoticeZone"/>, China's UTC+8 unless configured),
/// then the rule, what to do, the device and the alert id. Site and device
/// display names stay as entered.
/// </summary>
public static class ChineseNoticeText
{
    private const string Zh = NoticeLanguage.Chinese;

    private static readonly Dictionary<string, string> SiteTypeNames = new(StringComparer.Ordinal)
    {
        ["river"] = "河流",
        ["lake"] = "湖泊",
        ["reservoir"] = "水库",
        ["canal"] = "渠道",
        ["irrigation_district"] = "灌区",
        ["drinking_water_source"] = "饮用水水源地",
        ["wetland"] = "湿地",
        ["farmland"] = "农田",
        ["air_basin"] = "大气监测区",
        ["indoor"] = "室内",
    };

    /// <summary>The Chinese name of a quantity code; the code itself when the vocabulary has none (e.g. a wildcard).</summary>
    public static string QuantityName(string? code) => NoticeWords.Quantity(code, Zh);

    public static string SeverityName(string severity) => NoticeWords.Severity(severity, Zh);

    public static string EventName(string type) => NoticeWords.Event(type, Zh);

    /// <summary>The Chinese name of a site type of the registry's vocabulary; the code when it has none.</summary>
    public static string SiteTypeName(string type) => SiteTypeNames.TryGetValue(type, out var name) ? name : type;

    /// <summary>A rule's limit in words, as <see cref="EnglishNoticeText.LimitOf"/> does in English.</summary>
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
            RuleKind.Allocation => $"超过渠道分配水量的 {RuleEvaluator.Fmt((rule.Above ?? 1) * 100)}%",
            RuleKind.NoFlow => $"计划供水开始 {MinutesZh(rule.MinDurationSeconds)}后流量 ≤ {RuleEvaluator.Fmt(rule.Below ?? 0)}{unit}(或该次供水的最小流量)",
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
    public static string Text(AlertNotice n, NoticeZone? zone = null)
    {
        var b = new StringBuilder(256);
        b.Append('【').Append(SeverityName(n.Severity)).Append('·').Append(EventName(n.Type)).Append('】').Append(Where(n)).Append('\n');
        b.Append(What(n)).Append('\n');
        b.Append("时间:").Append(When(n, zone ?? NoticeZone.China)).Append('\n');
        b.Append("规则:").Append(RuleName(n)).Append('\n');
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
    public static string Markdown(AlertNotice n, NoticeZone? zone = null)
    {
        var lines = Text(n, zone).Split('\n');
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

    /// <summary>The e-mail subject: the headline with the rule's name.</summary>
    public static string Subject(AlertNotice n) => $"{Title(n)} {RuleName(n)}";

    /// <summary>
    /// The e-mail body: the chat text (facts first), then what a desk reader also wants — why, the
    /// site's type, basin and coordinates, the trend, the alert and event, the limit's source.
    /// </summary>
    public static string Body(AlertNotice n, NoticeZone? zone = null)
    {
        var b = new StringBuilder(Text(n, zone)).Append('\n').Append('\n');
        var reason = NoticeWords.Reason(n, Zh);
        if (reason.Length > 0)
        {
            b.Append("原因:").Append(reason).Append('\n');
        }

        var place = new List<string>();
        if (n.SiteType.Length > 0)
        {
            place.Add(SiteTypeName(n.SiteType));
        }

        if (n.Basin.Length > 0)
        {
            place.Add(n.Basin + "流域");
        }

        if (n.Latitude is { } lat && n.Longitude is { } lon)
        {
            place.Add(string.Create(CultureInfo.InvariantCulture, $"{(lat >= 0 ? "北纬" : "南纬")} {Math.Abs(lat):0.#####}°,{(lon >= 0 ? "东经" : "西经")} {Math.Abs(lon):0.#####}°"));
        }

        if (place.Count > 0)
        {
            b.Append("地点:").Append(string.Join(",", place)).Append('\n');
        }

        b.Append("趋势:").Append(n.Trend.Length > 0 ? NoticeWords.Trend(n.Trend, Zh) : "无").Append('\n');
        if (n.Type == AlertEventTypes.Late)
        {
            b.Append("说明:积压数据补报,是历史记录,不是正在发生的紧急情况").Append('\n');
        }

        b.Append("告警 ").Append(n.AlertId).Append(",事件 ").Append(EventName(n.Type)).Append(' ').Append(Local(n.At, zone ?? NoticeZone.China)).Append('（').Append((zone ?? NoticeZone.China).Label(n.At)).Append('）').Append('\n');
        b.Append("限值依据:").Append(n.Source).Append('\n');
        return b.ToString();
    }

    /// <summary>
    /// The SMS: the essential facts (severity and event, site, quantity with value against the limit,
    /// since when) then the rule, what to do and the id; <see cref="SmsText"/> fits it to segments.
    /// </summary>
    /// <param name="compact">Leave out the worst value (when the facts would not fit the first segment otherwise).</param>
    public static (string Essential, string Details) Sms(AlertNotice n, string where, bool compact, NoticeZone? zone = null)
    {
        var essential = $"【{SeverityName(n.Severity)}·{EventName(n.Type)}】{where} {What(n, withWorst: !compact)},{SmsWhen(n, zone ?? NoticeZone.China)}。";
        var rest = new StringBuilder();
        rest.Append(RuleName(n)).Append('。');
        var action = n.ActionZh.Length > 0 ? n.ActionZh : n.Action;
        if (action.Length > 0 && n.Type is not (AlertEventTypes.Resolved or AlertEventTypes.Acknowledged))
        {
            rest.Append("处置:").Append(action);
        }

        rest.Append(" 编号").Append(n.AlertId.AsSpan(0, Math.Min(12, n.AlertId.Length)));
        return (essential, rest.ToString());
    }

    /// <summary>The site as an SMS names it: the display name as entered, else the id.</summary>
    public static string SmsWhere(AlertNotice n) => n.SiteName.Length > 0 ? n.SiteName : n.Site;

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

    private static string What(AlertNotice n, bool withWorst = true)
    {
        var quantity = NoticeWords.Subject(n, Zh);
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

        if (withWorst && n.Worst is { } w && w != v)
        {
            text += $",最严重 {RuleEvaluator.Fmt(w)}";
        }

        return text;
    }

    private static string When(AlertNotice n, NoticeZone zone)
    {
        var label = zone.Label(n.Since);
        return n.Type switch
        {
            AlertEventTypes.Resolved => $"{Local(n.At, zone)} 恢复,{Local(n.Since, zone)} 起({label})",
            AlertEventTypes.Opened or AlertEventTypes.Late => $"{Local(n.Since, zone)} 起({label})",
            _ => $"{Local(n.At, zone)},{Local(n.Since, zone)} 起({label})",
        };
    }

    /// <summary>
    /// The SMS's time: month, day and minute on the reader's clock. On China's clock the zone goes
    /// unsaid (every first-segment character counts, and it is the reader's own); any other zone is named.
    /// </summary>
    private static string SmsWhen(AlertNotice n, NoticeZone zone)
    {
        var t = n.Type == AlertEventTypes.Resolved ? n.At : n.Since;
        var at = zone.Local(t).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) + (zone.IsChinaTime(t) ? string.Empty : zone.Label(t));
        return n.Type == AlertEventTypes.Resolved ? $"{at}恢复" : $"{at}起";
    }

    private static string RuleName(AlertNotice n) => n.RuleNameZh.Length > 0 ? n.RuleNameZh : n.RuleName;

    private static string Local(DateTimeOffset t, NoticeZone zone) => zone.Local(t).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string MinutesZh(long seconds) => seconds < 120 ? $"{seconds} 秒" : $"{seconds / 60} 分钟";
}
