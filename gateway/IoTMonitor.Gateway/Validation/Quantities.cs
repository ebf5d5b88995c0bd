// The one table of the quantity vocabulary. It is also compiled into the CLI (`iotmon check`) as a
// linked file (see gateway/IoTMonitor.Cli/IoTMonitor.Cli.csproj), under its own namespace so the
// test projects that reference both assemblies see one type of each name.
#if IOTMON_CLI
namespace IoTMonitor.Cli.Vocabulary;
#else
using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Validation;
#endif

/// <summary>The protocol v1 quantity vocabulary, in the order of docs/protocol.md §8.</summary>
public static class Quantities
{
    public static IReadOnlyList<Quantity> All { get; } =
    [
        new("water.ph", "pH", 0.01, 0, 14) { Commissioning = (6.0, 9.5) },
        new("water.ec", "µS/cm", 1, 0, 200000) { Commissioning = (20, 5000) },
        new("water.tds", "mg/L", 1, 0, 100000) { Commissioning = (10, 2500) },
        new("water.turbidity", "NTU", 0.1, 0, 4000) { Commissioning = (0, 1000) },
        new("water.do", "mg/L", 0.01, 0, 25) { Commissioning = (2, 15) },
        new("water.temp", "°C", 0.01, -5, 50) { Commissioning = (0, 35) },
        new("water.level", "m", 0.001, -10, 100) { Commissioning = (0, 10) },
        new("rain.total", "mm", 0.1, 0, 100000) { Commissioning = (0, 1000) },
        new("flow.rate", "m³/s", 0.0001, -1000, 1000) { Commissioning = (0, 100) },
        new("flow.total", "m³", 0.001, 0, 100000000000) { Commissioning = (0, 100000000000) },
        new("soil.moisture", "%VWC", 0.1, 0, 100) { Commissioning = (2, 60) },
        new("soil.temp", "°C", 0.01, -40, 80) { Commissioning = (-10, 45) },
        new("soil.ec", "µS/cm", 1, 0, 20000) { Commissioning = (0, 5000) },
        new("soil.n", "mg/kg", 1, 0, 2000) { Commissioning = (0, 1000) },
        new("soil.p", "mg/kg", 1, 0, 2000) { Commissioning = (0, 1000) },
        new("soil.k", "mg/kg", 1, 0, 2000) { Commissioning = (0, 1000) },
        new("soil.ph", "pH", 0.01, 0, 14) { Commissioning = (4.5, 9.0) },
        new("air.temp", "°C", 0.01, -40, 85) { Commissioning = (-30, 45) },
        new("air.rh", "%", 0.1, 0, 100) { Commissioning = (5, 100) },
        new("air.pressure", "hPa", 0.01, 300, 1100) { Commissioning = (500, 1070) },
        new("air.pm1", "µg/m³", 1, 0, 1000) { Commissioning = (0, 500) },
        new("air.pm25", "µg/m³", 1, 0, 1000) { Commissioning = (0, 500) },
        new("air.pm10", "µg/m³", 1, 0, 1000) { Commissioning = (0, 600) },
        new("air.co2", "ppm", 1, 0, 40000) { Commissioning = (350, 5000) },
        new("device.battery", "V", 0.001, 0, 5) { Commissioning = (3.5, 4.25) },
        new("device.rssi", "dBm", 1, -120, 0),
    ];

    // After All (static initializers run in textual order).
    private static readonly Dictionary<string, Quantity> ByCode = All.ToDictionary(q => q.Code, StringComparer.Ordinal);

    private static readonly Dictionary<string, Quantity>.AlternateLookup<ReadOnlySpan<char>> ByCodeSpan = ByCode.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Every InfluxDB measurement readings go to (the domains, in table order), as a FROM list: "water, rain, soil, air, device".</summary>
    public static string Measurements { get; } = string.Join(", ", All.Select(q => q.Domain).Distinct(StringComparer.Ordinal));

    /// <summary>The quantity of a wire code, or null when the code is not in the vocabulary.</summary>
    public static Quantity? Find(string? code) => code is not null && ByCode.TryGetValue(code, out var q) ? q : null;

    /// <summary>As <see cref="Find(string?)"/>, without making a string of the code first (the decoder's path).</summary>
    public static Quantity? Find(ReadOnlySpan<char> code) => ByCodeSpan.TryGetValue(code, out var q) ? q : null;

    /// <summary>The unit symbol of a code; empty for a code not in the vocabulary (or a wildcard).</summary>
    public static string UnitOf(string? code) => Find(code)?.Unit ?? string.Empty;
}
