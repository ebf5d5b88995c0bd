using IoTMonitor.Gateway.Alerts.NoticeText;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.NoticeText;

public sealed class NoticeTextTests
{
    private const string Zh = NoticeLanguage.Chinese;
    private const string En = NoticeLanguage.English;

    [Fact]
    public void Every_quantity_of_the_vocabulary_has_a_name_in_both_languages()
    {
        Assert.Equal(Quantities.All.Select(q => q.Code).Order(), NoticeWords.NamedQuantities.Order());
        Assert.Equal("水位", NoticeWords.Quantity("water.level", Zh));
        Assert.Equal("water level", NoticeWords.Quantity("water.level", En));
        Assert.Equal("溶解氧", NoticeWords.Quantity("water.do", Zh));
        Assert.Equal("water.*", NoticeWords.Quantity("water.*", En)); // a wildcard has no name: the code, not nothing
    }

    [Fact]
    public void The_Chinese_email_keeps_the_facts_first_and_adds_why_where_trend_and_source()
    {
        var n = SampleNotices.WaterLevel();
        Assert.Equal("【严重·告警】清水桥(river-1) 水位超过警戒水位", NoticeWriter.Subject(n, Zh));
        var lines = NoticeWriter.Body(n, Zh).Split('\n');
        Assert.Equal("【严重·告警】清水桥(river-1)", lines[0]);
        Assert.Equal("水位 3.72 m(限值 > 3.5 m),最严重 3.8", lines[1]);
        Assert.Equal("时间:2026-07-01 20:00 起(UTC+8)", lines[2]);
        Assert.Equal("规则:水位超过警戒水位", lines[3]);
        Assert.Equal("处置:通知下游群众做好转移准备", lines[4]);
        Assert.Contains("原因:超出限值", lines);
        Assert.Contains("地点:河流,淮河流域,北纬 32.05°,东经 118.79°", lines);
        Assert.Contains("趋势:上升(5 分钟内 +0.42)", lines);
        Assert.Contains("限值依据:site-specific (flood control plan)", lines);
    }

    [Fact]
    public void The_English_email_names_the_quantity_and_the_reason_in_words()
    {
        var n = SampleNotices.WaterLevel("Qingshui bridge");
        Assert.Equal("[CRITICAL] Water level above warning stage at Qingshui bridge (river-1)", NoticeWriter.Subject(n, En));
        var body = NoticeWriter.Body(n, En);
        Assert.Contains("What: Water level above warning stage (water level, outside its limit)\n", body, StringComparison.Ordinal);
        Assert.Contains("How bad: critical, 3.72 m (limit > 3.5 m), worst 3.8\n", body, StringComparison.Ordinal);
        Assert.Contains("Since: 2026-07-01 20:00:00 UTC+8\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("water.level", body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_battery_alert_names_the_battery_and_the_reason_in_both_languages()
    {
        var n = SampleNotices.Battery();
        Assert.Equal("电池电压 3.31 V(限值 < 3.4 V或 48 小时内耗尽)", NoticeWriter.Short(n, Zh).Split('\n')[1]);
        Assert.Contains("原因:电池电量低", NoticeWriter.Body(n, Zh), StringComparison.Ordinal);
        Assert.Contains("What: Battery low or running out (battery voltage, battery low)", NoticeWriter.Body(n, En), StringComparison.Ordinal);
        n.Kind = string.Empty; // a notice stored before the kind was recorded: the unit still tells
        Assert.Equal("battery low", NoticeWords.Reason(n, En));
        Assert.Equal("设备未按时上报", NoticeWords.Reason(new AlertNotice { Kind = "silence" }, Zh));
        Assert.Equal("probe fault (flagged or stuck readings)", NoticeWords.Reason(new AlertNotice { Kind = "probe_fault" }, En));
    }

    [Fact]
    public void Trends_read_in_Chinese()
    {
        Assert.Equal("首个读数", NoticeWords.Trend("first reading", Zh));
        Assert.Equal("持平", NoticeWords.Trend("steady", Zh));
        Assert.Equal("下降(90 秒内 -0.2)", NoticeWords.Trend("falling (-0.2 since 90 s ago)", Zh));
        Assert.Equal("rising (+1 since 30 min ago)", NoticeWords.Trend("rising (+1 since 30 min ago)", En));
    }

    [Fact]
    public void The_Chinese_sms_has_severity_site_value_limit_and_time_in_its_first_segment()
    {
        var text = NoticeWriter.Sms(SampleNotices.WaterLevel(), Zh, 320, 3);
        var parts = SmsSegments.Split(text);
        Assert.Equal(SmsEncoding.Ucs2, parts.Encoding);
        Assert.Equal(2, parts.Count);
        Assert.StartsWith("【严重·告警】清水桥 水位 3.72 m(限值 > 3.5 m),最严重 3.8,07-01 20:00起。", parts.Parts[0], StringComparison.Ordinal);
        Assert.Equal("【严重·告警】清水桥 水位 3.72 m(限值 > 3.5 m),最严重 3.8,07-01 20:00起。水位超过警戒水位。处置:通知下游群众做好转移准备 编号0193a1b2c3d4", text); // the example in docs/alerts.md, "SMS in Chinese"
        Assert.Equal(54, "【严重·告警】清水桥 水位 3.72 m(限值 > 3.5 m),最严重 3.8,07-01 20:00起。".Length);
    }

    [Fact]
    public void A_long_site_name_is_shortened_in_the_sms_so_the_facts_still_fit_the_first_segment()
    {
        const string name = "长江中游荆江河段监利水文站下游三公里处自动水质水位监测站第二号浮标";
        var text = NoticeWriter.Sms(SampleNotices.WaterLevel(name), Zh, 320, 3);
        var first = SmsSegments.Split(text).Parts[0];
        Assert.StartsWith("【严重·告警】长江中游荆江", first, StringComparison.Ordinal);
        Assert.Contains("… 水位 3.72 m(限值 > 3.5 m),07-01 20:00起。", first, StringComparison.Ordinal);
        Assert.True(first.Length <= SmsSegments.Ucs2Part);
    }

    [Fact]
    public void The_English_sms_is_gsm7_with_the_facts_in_its_first_segment()
    {
        var n = SampleNotices.WaterLevel("Qingshui bridge");
        var text = NoticeWriter.Sms(n, En, 320, 3);
        var parts = SmsSegments.Split(text);
        Assert.Equal(SmsEncoding.Gsm7, parts.Encoding);
        Assert.StartsWith("[CRITICAL] Qingshui bridge: water level 3.72 m (limit > 3.5 m), worst 3.8, since 01 Jul 20:00 UTC+8.", parts.Parts[0], StringComparison.Ordinal);

        n.Quantity = "water.ec";
        n.Unit = "µS/cm";
        n.Limit = "≥ 3000 µS/cm";
        var folded = NoticeWriter.Sms(n, En, 320, 3);
        Assert.Contains("conductivity 3.72 uS/cm (limit >= 3000 uS/cm)", folded, StringComparison.Ordinal);
        Assert.Equal(SmsEncoding.Gsm7, SmsSegments.EncodingOf(folded));
    }

    [Fact]
    public void The_sms_is_cut_at_the_segment_limit_keeping_the_first_segment_whole()
    {
        var text = NoticeWriter.Sms(SampleNotices.WaterLevel(), Zh, 320, 1);
        var parts = SmsSegments.Split(text);
        Assert.Equal(1, parts.Count);
        Assert.EndsWith("…", text, StringComparison.Ordinal);
        Assert.Contains("水位 3.72 m(限值 > 3.5 m),最严重 3.8,07-01 20:00起。", text, StringComparison.Ordinal);
    }
}
