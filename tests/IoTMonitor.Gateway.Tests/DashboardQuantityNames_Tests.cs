using System.Text.RegularExpressions;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Tests;

/// <summary>
/// The dashboard names every quantity the gateway accepts, in both languages: a quantity added to the
/// protocol (rain.total, flow.rate, …) must not show up on a chart as its bare code.
/// </summary>
public sealed partial class DashboardQuantityNames_Tests
{
    [Theory]
    [InlineData("en")]
    [InlineData("zh")]
    public void Every_quantity_of_the_gateway_has_a_dashboard_name(string language)
    {
        var script = File.ReadAllText(Path.Combine(RepoRoot, "gateway", "IoTMonitor.Gateway", "wwwroot", "js", "i18n.js"));
        var table = QuantityTable().Match(script);
        Assert.True(table.Success, "const QUANTITIES = { en: {…}, zh: {…} } not found in i18n.js");
        var block = language == "en" ? table.Groups["en"].Value : table.Groups["zh"].Value;
        var named = NameEntry().Matches(block).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var missing = Quantities.All.Select(q => q.Code).Where(n => !named.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"i18n.js {language} has no name for: {string.Join(", ", missing)}");
    }

    private static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "gateway", "IoTMonitor.Gateway", "wwwroot", "js", "i18n.js")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("gateway/IoTMonitor.Gateway/wwwroot/js/i18n.js not found above " + AppContext.BaseDirectory);
        }
    }

    [GeneratedRegex(@"const QUANTITIES = \{\s*en: \{(?<en>[^}]*)\},\s*zh: \{(?<zh>[^}]*)\}", RegexOptions.Singleline)]
    private static partial Regex QuantityTable();

    [GeneratedRegex(@"'([a-z0-9]+\.[a-z0-9]+)':")]
    private static partial Regex NameEntry();
}
