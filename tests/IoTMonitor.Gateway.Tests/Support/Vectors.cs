using System.Text.Json;

namespace IoTMonitor.Gateway.Tests.Support;

/// <summary>The shared golden vectors (tests/vectors/telemetry), copied next to the test assembly.</summary>
public static class Vectors
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "vectors", "telemetry");

    public static IEnumerable<string> Names() =>
        Directory.GetFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    public static JsonElement Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json")));
        return doc.RootElement.Clone();
    }

    public static IEnumerable<JsonElement> DecodeCases() =>
        Names().Select(Load).Where(v => v.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "decode"));
}
