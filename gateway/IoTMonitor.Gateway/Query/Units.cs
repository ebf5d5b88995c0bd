namespace IoTMonitor.Gateway.Query;

/// <summary>Units of the quantity vocabulary (docs/protocol.md §8).</summary>
public static class Units
{
    private static readonly Dictionary<string, string> ByCode = new(StringComparer.Ordinal)
    {
        ["water.ph"] = "pH",
        ["water.ec"] = "µS/cm",
        ["water.tds"] = "mg/L",
        ["water.turbidity"] = "NTU",
        ["water.do"] = "mg/L",
        ["water.temp"] = "°C",
        ["water.level"] = "m",
        ["soil.moisture"] = "%VWC",
        ["soil.temp"] = "°C",
        ["soil.ec"] = "µS/cm",
        ["soil.n"] = "mg/kg",
        ["soil.p"] = "mg/kg",
        ["soil.k"] = "mg/kg",
        ["soil.ph"] = "pH",
        ["air.temp"] = "°C",
        ["air.rh"] = "%",
        ["air.pressure"] = "hPa",
        ["air.pm1"] = "µg/m³",
        ["air.pm25"] = "µg/m³",
        ["air.pm10"] = "µg/m³",
        ["air.co2"] = "ppm",
        ["device.battery"] = "V",
        ["device.rssi"] = "dBm",
    };

    public static string Of(string code) => ByCode.TryGetValue(code, out var unit) ? unit : string.Empty;
}
