using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace IoTMonitor.Firmware.Tests;

/// <summary>
/// The nanoFramework package set of packages.config is consistent: every package meets the
/// dependency minimums the others' nuspecs state (firmware/IoTMonitor.Firmware/package-dependencies.csv,
/// one row per package with the repository, tag and commit its nuspec was read at), and the nanoCLR image
/// `iotmon flash` pins is the one packages.config names.
/// </summary>
public partial class PackageSetTests
{
    private static string AppDir => RepoPaths.Combine("firmware", "IoTMonitor.Firmware");

    private static Dictionary<string, string> Packages() =>
        XDocument.Load(Path.Combine(AppDir, "packages.config")).Root!.Elements("package")
            .ToDictionary(p => (string)p.Attribute("id")!, p => (string)p.Attribute("version")!);

    private sealed record Facts(string Package, string Version, string Repository, string Commit, (string Id, string Min)[] DependsOn);

    private static List<Facts> NuspecFacts()
    {
        var lines = File.ReadAllLines(Path.Combine(AppDir, "package-dependencies.csv"));
        Assert.Equal("package,version,repository,tag,commit,nuspec,depends_on", lines[0]);
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var c = l.Split(',');
            Assert.Equal(7, c.Length);
            var deps = c[6].Length == 0 ? [] : c[6].Split(';').Select(d => d.Split(">=")).Select(d => (d[0], d[1])).ToArray();
            return new Facts(c[0], c[1], c[2], c[4], deps);
        }).ToList();
    }

    [Fact]
    public void Every_package_has_the_facts_of_its_pinned_version()
    {
        var facts = NuspecFacts().ToDictionary(f => f.Package);
        foreach (var (id, version) in Packages())
        {
            Assert.True(facts.TryGetValue(id, out var f), $"{id}: no row in package-dependencies.csv");
            Assert.True(f.Version == version, $"{id}: packages.config pins {version}, the nuspec facts are for {f.Version}");
            Assert.Matches("^nanoframework/", f.Repository);
            Assert.Matches("^[0-9a-f]{7,40}$", f.Commit);
        }
    }

    [Fact]
    public void Every_package_meets_the_dependency_minimums_of_the_others()
    {
        var packages = Packages();
        var problems = new List<string>();
        foreach (var f in NuspecFacts().Where(f => packages.ContainsKey(f.Package)))
        {
            foreach (var (id, min) in f.DependsOn)
            {
                if (!packages.TryGetValue(id, out var pinned))
                {
                    problems.Add($"{f.Package} {f.Version} needs {id} >= {min}, which packages.config lacks");
                }
                else if (Version.Parse(pinned) < Version.Parse(min))
                {
                    problems.Add($"{f.Package} {f.Version} needs {id} >= {min}, packages.config pins {pinned}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Packages_config_names_the_nanoclr_image_iotmon_flash_pins()
    {
        var cli = File.ReadAllText(RepoPaths.Combine("gateway", "IoTMonitor.Cli", "Nanoff.cs"));
        var target = ConstValue("Target").Match(cli).Groups[1].Value;
        var version = ConstValue("Version").Match(cli).Groups[1].Value;
        Assert.Equal("ESP32_REV3", target);
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", version);
        var header = File.ReadAllText(Path.Combine(AppDir, "packages.config"));
        Assert.Contains($"nanoCLR image: {target} {version}", header, StringComparison.Ordinal);
    }

    private static Regex ConstValue(string name) => new($"public const string {name} = \"([^\"]+)\";");
}
