using System.Reflection;
using IoTMonitor.Firmware.Core.Tests.Conformance;

namespace IoTMonitor.Firmware.Tests;

/// <summary>
/// The compile check (core + adapters + Program against mscorlib 1.17.11 and the shims) must hold
/// nothing nanoFramework 1.x cannot run: generics, async, Nullable&lt;T&gt;. The only other assembly
/// it may reference is the shims, which stand in for the real nanoFramework packages.
/// </summary>
public class CompileCheckMetadataTests
{
    private static string CompileCheckDll()
    {
        var config = typeof(CompileCheckMetadataTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = RepoPaths.Combine("firmware", "IoTMonitor.Firmware.CompileCheck", "bin", config, "netstandard2.0", "IoTMonitor.Firmware.CompileCheck.dll");
        Assert.True(File.Exists(path), "compile-check build output missing: " + path);
        return path;
    }

    [Fact]
    public void Compile_check_assembly_uses_only_what_nanoframework_runs()
    {
        var problems = NanoFrameworkMetadataChecker.Check(CompileCheckDll())
            .Where(p => p != "assembly reference to IoTMonitor.Firmware.Shims")
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Compile_check_assembly_holds_the_adapters_and_the_core()
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(CompileCheckDll()));
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var names = md.TypeDefinitions.Select(h => md.GetString(md.GetTypeDefinition(h).Name)).ToHashSet();
        foreach (var t in new[] { "M2MqttNodeLink", "Esp32Clock", "Esp32Power", "LittleFsFileStore", "AdcAnalogInput", "I2cBusAdapter", "SerialUart", "OneWireAdapter", "Esp32Buses", "SensorFactory", "SensorCatalog", "Program", "NodeCycle" })
        {
            Assert.Contains(t, names);
        }
    }

    [Fact]
    public void The_esp32_buses_are_a_bus_provider_of_the_core_catalog()
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(CompileCheckDll()));
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var buses = md.TypeDefinitions.Select(md.GetTypeDefinition).Single(t => md.GetString(t.Name) == "Esp32Buses");
        var interfaces = buses.GetInterfaceImplementations()
            .Select(h => md.GetInterfaceImplementation(h).Interface)
            .Where(h => h.Kind == System.Reflection.Metadata.HandleKind.TypeDefinition)
            .Select(h => md.GetTypeDefinition((System.Reflection.Metadata.TypeDefinitionHandle)h))
            .Select(t => md.GetString(t.Namespace) + "." + md.GetString(t.Name));
        Assert.Contains("IoTMonitor.Firmware.Core.Sensors.IBusProvider", interfaces);
    }
}
