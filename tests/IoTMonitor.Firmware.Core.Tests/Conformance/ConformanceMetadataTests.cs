using System.Reflection;

namespace IoTMonitor.Firmware.Core.Tests.Conformance;

/// <summary>
/// CI gate, second half: the conformance build compiled against nanoFramework's mscorlib, so
/// missing APIs already failed the build; here its metadata is checked for what compiles but
/// nanoFramework 1.x cannot run (firmware/README.md).
/// </summary>
public class ConformanceMetadataTests
{
    /// <summary>
    /// The conformance project is built by this project's ProjectReference in the same
    /// configuration (Debug or Release) as this test assembly.
    /// </summary>
    internal static string ConformanceDll()
    {
        var config = typeof(ConformanceMetadataTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = RepoPaths.Combine("firmware", "IoTMonitor.Firmware.Core.Conformance", "bin", config, "netstandard2.0", "IoTMonitor.Firmware.Core.Conformance.dll");
        Assert.True(File.Exists(path), "conformance build output missing: " + path);
        return path;
    }

    [Fact]
    public void Conformance_assembly_uses_only_what_nanoframework_runs()
    {
        var problems = NanoFrameworkMetadataChecker.Check(ConformanceDll());
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Conformance_assembly_holds_the_core_types()
    {
        // Guards against an empty Compile glob passing the check above vacuously.
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(ConformanceDll()));
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var names = md.TypeDefinitions.Select(h => md.GetString(md.GetTypeDefinition(h).Name)).ToHashSet();
        Assert.Contains("TelemetryEncoder", names);
        Assert.Contains("ISensor", names);
    }

    [Fact]
    public void Checker_catches_generics_async_and_foreign_references()
    {
        // This test assembly is full of what the firmware must not contain.
        var problems = NanoFrameworkMetadataChecker.Check(typeof(ConformanceMetadataTests).Assembly.Location);
        Assert.Contains(problems, p => p.StartsWith("assembly reference to", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("generic instantiation", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("async", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Nullable`1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("generic method definition", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("generic type definition", StringComparison.Ordinal));
    }
}

/// <summary>Deliberate offenders for the checker's own test.</summary>
internal static class CheckerBait
{
    internal static T Echo<T>(T value) => value;

    internal static async Task<int?> Later()
    {
        await Task.Yield();
        return Echo<int?>(null);
    }

    internal sealed class Box<T>(T value)
    {
        public T Value { get; } = value;
    }
}
