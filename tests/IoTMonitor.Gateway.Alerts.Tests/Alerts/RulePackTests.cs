namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

public sealed class RulePackTests
{
    private static string DefaultPack => Path.Combine(AppContext.BaseDirectory, "Alerts", "RulePacks", "default.json");

    [Fact]
    public void Default_pack_loads_and_every_rule_cites_a_source()
    {
        var pack = RulePack.Load(DefaultPack);
        Assert.True(pack.Rules.Count >= 15);
        Assert.All(pack.Rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Source)));
        Assert.All(pack.Rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Action)));
        Assert.Contains(pack.Rules, r => r.Source.Contains("GB 3838-2002", StringComparison.Ordinal) && r.Quantity == "water.ph");
        Assert.Contains(pack.Rules, r => r.Source.Contains("GB 3838-2002", StringComparison.Ordinal) && r.Quantity == "water.do");
        Assert.Contains(pack.Rules, r => r.Source.Contains("GB 3095", StringComparison.Ordinal) && r.Quantity == "air.pm25");
        Assert.Contains(pack.Rules, r => r.Source.Contains("GB 3095", StringComparison.Ordinal) && r.Quantity == "air.pm10");
        Assert.Contains(pack.Rules, r => r.Source.Contains("GB 5749-2022", StringComparison.Ordinal));
        Assert.Contains(pack.Rules, r => r.Source.Contains("GB 5084-2021", StringComparison.Ordinal));
        Assert.Contains(pack.Rules, r => r.Kind == RuleKind.Rate && r.Quantity == "water.level" && r.Source.Contains("unconfirmed", StringComparison.Ordinal));
        Assert.Contains(pack.Rules, r => r.Kind == RuleKind.Silence);
        Assert.Contains(pack.Rules, r => r.Kind == RuleKind.Battery);
        Assert.Contains(pack.Rules, r => r.Kind == RuleKind.ProbeFault);
    }

    [Fact]
    public void Pack_with_a_bad_rule_is_refused_naming_the_rule()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """{"rules":[{"id":"x","name":"x","kind":"threshold","quantity":"water.nope","source":"s"}]}""");
        var e = Assert.Throws<InvalidDataException>(() => RulePack.Load(path));
        Assert.Contains("rule x", e.Message, StringComparison.Ordinal);
        Assert.Contains("water.nope", e.Message, StringComparison.Ordinal);
        File.Delete(path);
    }
}
