using System.Diagnostics;

namespace IoTMonitor.Gateway.Tests;

/// <summary>The gateway's and the firmware core's folders depend on each other without a cycle (scripts/folder-deps.py, docs/architecture.md).</summary>
public sealed class FolderDependency_Tests
{
    [Fact]
    public async Task The_gateway_folders_have_no_cycle()
    {
        var (code, output) = await RunAsync(Path.Combine(RepoRoot, "gateway", "IoTMonitor.Gateway"), "IoTMonitor.Gateway");
        Assert.True(code == 0, output);
        Assert.Contains("no cycle", output, StringComparison.Ordinal);
        Assert.Contains("Hosting       -> ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cycle_through_a_using_a_full_name_or_the_root_namespace_is_found()
    {
        var project = Directory.CreateTempSubdirectory("iotmon-deps-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(project, "A"));
            Directory.CreateDirectory(Path.Combine(project, "B"));
            Directory.CreateDirectory(Path.Combine(project, "C"));
            await File.WriteAllTextAsync(Path.Combine(project, "A", "One.cs"), "using P.B;\nnamespace P.A;\npublic sealed class One(Two two);\n");
            await File.WriteAllTextAsync(Path.Combine(project, "B", "Two.cs"), "namespace P.B;\npublic sealed class Two { public C.Three? Three; public Root? R; }\n");
            await File.WriteAllTextAsync(Path.Combine(project, "C", "Three.cs"), "namespace P.C;\npublic sealed class Three { public P.A.One? One; }\n");
            await File.WriteAllTextAsync(Path.Combine(project, "Root.cs"), "namespace P;\npublic sealed class Root;\n");

            var (code, output) = await RunAsync(project, "P");

            Assert.Equal(1, code);
            Assert.Contains("cycle: A <-> B <-> C", output, StringComparison.Ordinal);
            Assert.Contains("B      -> (root), C", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    [Fact]
    public async Task The_firmware_core_folders_have_no_cycle()
    {
        var (code, output) = await RunAsync(Path.Combine(RepoRoot, "firmware", "IoTMonitor.Firmware.Core"), "IoTMonitor.Firmware.Core");
        Assert.True(code == 0, output);
        Assert.Contains("no cycle", output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Sensors\s+-> ", output);
    }

    [Fact]
    public void Only_the_alert_stage_uses_its_internal_engine_and_store_folders()
    {
        var gateway = Path.Combine(RepoRoot, "gateway", "IoTMonitor.Gateway");
        var sep = Path.DirectorySeparatorChar;
        var outside = Directory.EnumerateFiles(gateway, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(gateway, f))
            .Where(f => !f.StartsWith("bin" + sep, StringComparison.Ordinal) && !f.StartsWith("obj" + sep, StringComparison.Ordinal) && !f.StartsWith("Alerts" + sep, StringComparison.Ordinal))
            .ToList();
        Assert.Contains(outside, f => f.StartsWith("Api" + sep, StringComparison.Ordinal));

        var users = outside
            .Where(f => File.ReadAllText(Path.Combine(gateway, f)) is var text
                && (text.Contains("Alerts.Internal", StringComparison.Ordinal) || text.Contains("Alerts.Engine", StringComparison.Ordinal) || text.Contains("Alerts.Store", StringComparison.Ordinal)))
            .ToList();
        Assert.Empty(users);
    }

    private static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "scripts", "folder-deps.py")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("scripts/folder-deps.py not found above " + AppContext.BaseDirectory);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string project, string rootNamespace)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(RepoRoot, "scripts", "folder-deps.py"));
        info.ArgumentList.Add(project);
        info.ArgumentList.Add(rootNamespace);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
