namespace IoTMonitor.Gateway.Alerts.Tests.Support;

/// <summary>Notices as the engine writes them (AlertEngine.Notices.cs), for the text and channel tests.</summary>
public static class SampleNotices
{
    /// <summary>A critical water-level alert at 清水桥 (river-1), opened 2026-07-01 12:00 UTC (20:00 China time).</summary>
    public static AlertNotice WaterLevel(string siteName = "清水桥", string type = AlertEventTypes.Opened) => new()
    {
        EventId = "0193e0000000000000000000000000e1",
        AlertId = "0193a1b2c3d4e5f60718293a4b5c6d7e",
        Type = type,
        State = type == AlertEventTypes.Resolved ? AlertStates.Resolved : AlertStates.Open,
        Severity = "critical",
        RuleId = "water.level.warning-stage",
        RuleName = "Water level above warning stage",
        RuleNameZh = "水位超过警戒水位",
        Kind = "threshold",
        Source = "site-specific (flood control plan)",
        Limit = "> 3.5 m",
        LimitZh = "> 3.5 m",
        Site = "river-1",
        SiteName = siteName,
        SiteType = "river",
        Basin = "淮河",
        Latitude = 32.05,
        Longitude = 118.79,
        Device = "wl-02",
        Quantity = "water.level",
        Unit = "m",
        Value = 3.72,
        Worst = 3.8,
        Since = new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero),
        At = new DateTimeOffset(2026, 7, 1, 12, 5, 0, TimeSpan.Zero),
        Trend = "rising (+0.42 since 5 min ago)",
        Action = "Warn people downstream and prepare evacuation",
        ActionZh = "通知下游群众做好转移准备",
    };

    /// <summary>A battery alert (no quantity on the alert: the engine writes unit V).</summary>
    public static AlertNotice Battery() => new()
    {
        AlertId = "0193b0000000000000000000000000b1",
        Type = AlertEventTypes.Opened,
        Severity = "warning",
        RuleName = "Battery low or running out",
        RuleNameZh = "电池电量低或即将耗尽",
        Kind = "battery",
        Limit = "< 3.4 V or empty within 48 h",
        LimitZh = "< 3.4 V或 48 小时内耗尽",
        Site = "soil-3",
        Device = "sm-01",
        Unit = "V",
        Value = 3.31,
        Since = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero),
        At = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero),
        Action = "Replace or recharge the battery",
        ActionZh = "更换电池或充电",
    };

    public static OutboxEntry Entry(AlertNotice n, string channel, string recipient) =>
        new(1, $"{n.EventId}:{channel}:{recipient}", n.AlertId, n.EventId, n.Type, channel, recipient, string.Empty, "pending", 0, n.At, null, null, null);
}
