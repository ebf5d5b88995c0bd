using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

/// <summary>Unit text in notices comes from the quantity vocabulary (docs/protocol.md §8), not a table of its own.</summary>
public sealed class AlertNoticeUnitsTests
{
    [Fact]
    public void Every_quantity_of_the_vocabulary_has_its_unit_in_notices()
    {
        Assert.All(Quantities.All, q =>
        {
            Assert.NotEqual(string.Empty, q.Unit);
            Assert.Equal(q.Unit, AlertNotice.UnitOf(q.Code));
        });
        Assert.Equal("pH", AlertNotice.UnitOf("soil.ph"));
        Assert.Equal(string.Empty, AlertNotice.UnitOf("water.*"));
        Assert.Equal(string.Empty, AlertNotice.UnitOf(null));
    }

    [Fact]
    public void Limits_carry_the_unit_of_the_rules_quantity()
    {
        Assert.Equal("6–9 pH", AlertNotice.LimitOf(new AlertRule { Kind = RuleKind.Threshold, Quantity = "water.ph", Above = 9, Below = 6 }));
        Assert.Equal("< 5.5 pH", AlertNotice.LimitOf(new AlertRule { Kind = RuleKind.Threshold, Quantity = "soil.ph", Below = 5.5 }));
        Assert.Equal("> 1 NTU", AlertNotice.LimitOf(new AlertRule { Kind = RuleKind.Threshold, Quantity = "water.turbidity", Above = 1 }));
        Assert.Equal("rise ≥ 0.5 m in 30 min", AlertNotice.LimitOf(new AlertRule { Kind = RuleKind.Rate, Quantity = "water.level", RiseBy = 0.5, WindowSeconds = 1800 }));
        Assert.Equal("> 5", AlertNotice.LimitOf(new AlertRule { Kind = RuleKind.Threshold, Quantity = "water.*", Above = 5 }));
        Assert.Equal("< 3.4 V or empty within 48 h", AlertNotice.LimitOf(new AlertRule { Kind = RuleKind.Battery, Below = 3.4, ExhaustionHours = 48 }));
    }

    [Fact]
    public void The_notice_text_shows_the_value_with_its_unit()
    {
        var notice = new AlertNotice
        {
            Type = AlertEventTypes.Opened,
            Severity = "warning",
            RuleName = "Soil too acid",
            Site = "s1",
            Device = "soil-1",
            Quantity = "soil.ph",
            Unit = AlertNotice.UnitOf("soil.ph"),
            Value = 4.91,
            Limit = "< 5.5 pH",
        };
        Assert.Contains("How bad: warning, 4.91 pH (limit < 5.5 pH)", notice.Text(), StringComparison.Ordinal);
    }
}
