namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>
/// The words a person reads in place of codes: quantity names, severities, event types and the
/// reason an alert was raised, in Simplified Chinese and English.
/// </summary>
public static partial class NoticeWords
{
    private static readonly Dictionary<string, (string Zh, string En)> Quantities = new(StringComparer.Ordinal)
    {
        ["water.ph"] = ("pH", "pH"),
        ["water.ec"] = ("电导率", "conductivity"),
        ["water.tds"] = ("溶解性总固体", "total dissolved solids"),
        ["water.turbidity"] = ("浊度", "turbidity"),
        ["water.do"] = ("溶解氧", "dissolved oxygen"),
        ["water.temp"] = ("水温", "water temperature"),
        ["water.level"] = ("水位", "water level"),
        ["rain.total"] = ("累计雨量", "rainfall total"),
        ["flow.rate"] = ("流量", "flow rate"),
        ["flow.total"] = ("累计水量", "metered volume"),
        ["soil.moisture"] = ("土壤含水量", "soil moisture"),
        ["soil.temp"] = ("土壤温度", "soil temperature"),
        ["soil.ec"] = ("土壤电导率", "soil conductivity"),
        ["soil.n"] = ("土壤氮", "soil nitrogen"),
        ["soil.p"] = ("土壤磷", "soil phosphorus"),
        ["soil.k"] = ("土壤钾", "soil potassium"),
        ["soil.ph"] = ("土壤pH", "soil pH"),
        ["air.temp"] = ("气温", "air temperature"),
        ["air.rh"] = ("相对湿度", "relative humidity"),
        ["air.pressure"] = ("气压", "air pressure"),
        ["air.pm1"] = ("PM1", "PM1"),
        ["air.pm25"] = ("PM2.5", "PM2.5"),
        ["air.pm10"] = ("PM10", "PM10"),
        ["air.co2"] = ("二氧化碳", "CO2"),
        ["device.battery"] = ("电池电压", "battery voltage"),
        ["device.rssi"] = ("信号强度", "signal strength"),
    };

    /// <summary>Every quantity code that has a name (the vocabulary's; a test keeps the two in step).</summary>
    public static IEnumerable<string> NamedQuantities => Quantities.Keys;

    /// <summary>A quantity's name; for a code the table lacks (e.g. a wildcard) the code itself.</summary>
    public static string Quantity(string? code, string language) =>
        code is null ? string.Empty
        : Quantities.TryGetValue(code, out var n) ? (NoticeLanguage.IsChinese(language) ? n.Zh : n.En)
        : code;

    public static string Severity(string severity, string language) => (severity, NoticeLanguage.IsChinese(language)) switch
    {
        ("critical", true) => "严重",
        ("warning", true) => "警告",
        ("info", true) => "提示",
        ("critical", false) => "critical",
        ("warning", false) => "warning",
        ("info", false) => "info",
        _ => severity,
    };

    public static string Event(string type, string language) => NoticeLanguage.IsChinese(language)
        ? type switch
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
        }
        : type switch
        {
            AlertEventTypes.Opened => "alert",
            AlertEventTypes.Renotified => "not acknowledged",
            AlertEventTypes.Escalated => "escalated",
            AlertEventTypes.Acknowledged => "acknowledged",
            AlertEventTypes.Resolved => "resolved",
            AlertEventTypes.Reopened => "raised again",
            AlertEventTypes.Flapping => "flapping",
            AlertEventTypes.Late => "reported late (history)",
            _ => type,
        };

    /// <summary>
    /// Why the alert was raised, from the rule's kind (<see cref="AlertNotice.Kind"/>); notices stored
    /// before the kind was recorded fall back on the unit the engine wrote (V: battery, missed: silence).
    /// </summary>
    public static string Reason(AlertNotice n, string language)
    {
        var kind = n.Kind.Length > 0 ? n.Kind : n.Unit switch { "V" => "battery", "missed" => "silence", _ => string.Empty };
        var zh = NoticeLanguage.IsChinese(language);
        return kind switch
        {
            "threshold" => zh ? "超出限值" : "outside its limit",
            "rate" => zh ? "变化过快" : "changing too fast",
            "silence" => zh ? "设备未按时上报" : "device stopped reporting",
            "battery" => zh ? "电池电量低" : "battery low",
            "probe_fault" => zh ? "探头故障(读数异常或不变)" : "probe fault (flagged or stuck readings)",
            _ => string.Empty,
        };
    }

    /// <summary>The quantity a notice is about: the alert's own, the battery for a battery alert, reports for a silence alert.</summary>
    public static string Subject(AlertNotice n, string language)
    {
        if (n.Unit == "missed")
        {
            return NoticeLanguage.IsChinese(language) ? "上报" : "reports";
        }

        return Quantity(n.Quantity ?? (n.Unit == "V" ? "device.battery" : null), language);
    }

    /// <summary>The rule kind as notices and the rule pack write it (<c>probe_fault</c>).</summary>
    public static string KindCode(RuleKind kind) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    /// <summary>
    /// The evaluator's trend (<c>first reading</c>, <c>steady</c>, <c>rising (+0.4 since 5 min ago)</c>) in
    /// <paramref name="language"/>; a trend in another shape is shown as it is.
    /// </summary>
    public static string Trend(string trend, string language)
    {
        if (!NoticeLanguage.IsChinese(language) || trend.Length == 0)
        {
            return trend;
        }

        if (trend == "first reading")
        {
            return "首个读数";
        }

        if (trend == "steady")
        {
            return "持平";
        }

        var m = TrendShape().Match(trend);
        if (!m.Success)
        {
            return trend;
        }

        var word = m.Groups[1].Value == "rising" ? "上升" : "下降";
        var span = m.Groups[3].Value.Replace(" min", " 分钟", StringComparison.Ordinal).Replace(" s", " 秒", StringComparison.Ordinal);
        return $"{word}({span}内 {m.Groups[2].Value})";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(rising|falling) \(([+-]?[0-9.]+) since ([0-9]+ (?:s|min)) ago\)$")]
    private static partial System.Text.RegularExpressions.Regex TrendShape();
}
