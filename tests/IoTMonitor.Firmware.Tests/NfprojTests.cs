using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace IoTMonitor.Firmware.Tests;

/// <summary>
/// The .nfproj cannot be built here, so its consistency with what CI does build is tested: it
/// compiles exactly the app files the compile check compiles, references every package of
/// packages.config at that version, and every shim names a package version of packages.config.
/// </summary>
public partial class NfprojTests
{
    private static string AppDir => RepoPaths.Combine("firmware", "IoTMonitor.Firmware");

    private static Dictionary<string, string> Packages() =>
        XDocument.Load(Path.Combine(AppDir, "packages.config")).Root!.Elements("package")
            .ToDictionary(p => (string)p.Attribute("id")!, p => (string)p.Attribute("version")!);

    [Fact]
    public void Nfproj_compiles_every_app_source_and_links_the_core()
    {
        XNamespace ns = "http://schemas.microsoft.com/developer/msbuild/2003";
        var includes = XDocument.Load(Path.Combine(AppDir, "IoTMonitor.Firmware.nfproj")).Descendants(ns + "Compile")
            .Select(c => ((string)c.Attribute("Include")!).Replace('\\', '/')).ToHashSet();
        var sources = Directory.EnumerateFiles(AppDir, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(AppDir, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("packages/", StringComparison.Ordinal))
            .ToHashSet();
        Assert.Empty(sources.Except(includes));
        Assert.Contains("../IoTMonitor.Firmware.Core/**/*.cs", includes);
    }

    [Fact]
    public void Nfproj_references_the_packages_config_versions()
    {
        var packages = Packages();
        Assert.Equal("1.17.11", packages["nanoFramework.CoreLibrary"]);
        var hints = XDocument.Load(Path.Combine(AppDir, "IoTMonitor.Firmware.nfproj")).Descendants()
            .Where(e => e.Name.LocalName == "HintPath").Select(e => e.Value).ToList();
        foreach (var (id, version) in packages)
        {
            Assert.True(hints.Any(h => h.StartsWith($"packages\\{id}.{version}\\lib\\", StringComparison.Ordinal)), $"no reference into {id}.{version}");
        }

        Assert.All(hints, h => Assert.Contains(packages, p => h.StartsWith($"packages\\{p.Key}.{p.Value}\\", StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_shim_names_a_package_version_of_packages_config()
    {
        var packages = Packages();
        var shims = Directory.EnumerateFiles(RepoPaths.Combine("firmware", "IoTMonitor.Firmware.Shims"), "*.cs");
        Assert.NotEmpty(shims);
        foreach (var file in shims)
        {
            var text = File.ReadAllText(file);
            var m = MirrorLine().Match(text.Split('\n')[0]);
            Assert.True(m.Success, Path.GetFileName(file) + ": first line must be '// Mirrors <package> v<version> ...'");
            Assert.True(packages.TryGetValue(m.Groups[1].Value, out var v) && v == m.Groups[2].Value, $"{Path.GetFileName(file)} mirrors {m.Groups[1].Value} {m.Groups[2].Value}, packages.config has {v ?? "nothing"}");
            Assert.DoesNotContain("NotImplemented" + "Exception", text, StringComparison.Ordinal); // shims throw NotSupportedException
        }
    }

    [GeneratedRegex(@"^// Mirrors (\S+) v(\d+\.\d+\.\d+)")]
    private static partial Regex MirrorLine();
}
