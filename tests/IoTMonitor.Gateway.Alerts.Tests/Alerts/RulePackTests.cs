using IoTMonitor.Gateway.Alerts.FlashFlood;

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
    public void Default_pack_scopes_use_the_site_profile_vocabulary()
    {
        var pack = RulePack.Load(DefaultPack);
        var types = pack.Rules.SelectMany(r => r.Scope.SiteTypes).Distinct().ToList();
        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Contains(t, Registry.SiteTypes.All));
        Assert.Contains(pack.Rules, r => r.Id == "water.ph.drinking" && r.Scope.SiteTypes.SequenceEqual([Registry.SiteTypes.DrinkingWaterSource]));
        Assert.Contains(pack.Rules, r => r.Id == "water.ph.irrigation" && r.Scope.SiteTypes.SequenceEqual([Registry.SiteTypes.IrrigationDistrict]));
    }

    [Fact]
    public void Pack_with_a_site_type_outside_the_vocabulary_is_refused()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """{"rules":[{"id":"x","name":"x","kind":"threshold","quantity":"water.ph","below":6,"source":"s","scope":{"siteTypes":["drinking"]}}]}""");
        var e = Assert.Throws<InvalidDataException>(() => RulePack.Load(path));
        Assert.Contains("'drinking' is not a site type", e.Message, StringComparison.Ordinal);
        Assert.Contains("drinking_water_source", e.Message, StringComparison.Ordinal);
        File.Delete(path);
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

    /// <summary>Every pack shipped with the gateway (Alerts/RulePacks/*.json, copied to the output).</summary>
    public static TheoryData<string> ShippedPacks()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(DefaultPack)!, "*.json").Order())
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedPacks))]
    public void Every_shipped_rule_has_its_name_and_action_in_Chinese_and_English(string file)
    {
        // The flash-flood pack holds warning levels, each of which becomes one alert rule.
        var path = Path.Combine(Path.GetDirectoryName(DefaultPack)!, file);
        var rules = File.ReadAllText(path).Contains("\"levels\"", StringComparison.Ordinal)
            ? FlashFloodPack.Load(path).Levels.Select(l => l.Rule()).ToList()
            : RulePack.Load(path).Rules;
        Assert.NotEmpty(rules);
        Assert.Empty(MissingLanguages(rules));
    }

    [Fact]
    public void A_rule_without_its_Chinese_name_or_English_action_is_named_by_the_check()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """
            {"rules":[
              {"id":"a","name":"pH high","nameZh":"pH 偏高","kind":"threshold","quantity":"water.ph","above":9,"source":"s","action":"Check","actionZh":"检查"},
              {"id":"b","name":"pH low","kind":"threshold","quantity":"water.ph","below":6,"source":"s","action":"Check","actionZh":"检查"},
              {"id":"c","name":"pH very low","nameZh":"pH very low","kind":"threshold","quantity":"water.ph","below":5,"source":"s","actionZh":"检查"}
            ]}
            """);
        var problems = MissingLanguages(RulePack.Load(path).Rules);
        File.Delete(path);
        Assert.Equal(["b: nameZh missing", "c: nameZh has no Chinese", "c: action missing"], problems);
    }

    /// <summary>What a rule lacks for notices in both languages: name and action in English, nameZh and actionZh in Chinese.</summary>
    private static List<string> MissingLanguages(IEnumerable<AlertRule> rules)
    {
        static bool HasChinese(string s) => s.Any(c => c is >= '\u4e00' and <= '\u9fff');
        var problems = new List<string>();
        foreach (var r in rules)
        {
            foreach (var (field, value, chinese) in new[] { ("name", r.Name, false), ("nameZh", r.NameZh, true), ("action", r.Action, false), ("actionZh", r.ActionZh, true) })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    problems.Add($"{r.Id}: {field} missing");
                }
                else if (chinese != HasChinese(value))
                {
                    problems.Add($"{r.Id}: {field} {(chinese ? "has no Chinese" : "is not English")}");
                }
            }
        }

        return problems;
    }
}
