namespace IoTMonitor.Gateway.Validation;

/// <summary>One entry of the quantity vocabulary (docs/protocol.md §8).</summary>
public sealed record Quantity(string Code, string Domain, string Name, double Min, double Max)
{
    internal byte[] Utf8Code { get; } = System.Text.Encoding.UTF8.GetBytes(Code);

    /// <summary>Values outside [Min − span, Max + span] are refused as implausible.</summary>
    public bool IsPlausible(double value)
    {
        var span = Max - Min;
        return value >= Min - span && value <= Max + span;
    }
}

/// <summary>The protocol v1 quantity vocabulary.</summary>
public static class Quantities
{
    public static IReadOnlyList<Quantity> All { get; } =
    [
        new("water.ph", "water", "ph", 0, 14),
        new("water.ec", "water", "ec", 0, 200000),
        new("water.tds", "water", "tds", 0, 100000),
        new("water.turbidity", "water", "turbidity", 0, 4000),
        new("water.do", "water", "do", 0, 25),
        new("water.temp", "water", "temp", -5, 50),
        new("water.level", "water", "level", -10, 100),
        new("soil.moisture", "soil", "moisture", 0, 100),
        new("soil.temp", "soil", "temp", -40, 80),
        new("soil.ec", "soil", "ec", 0, 20000),
        new("soil.n", "soil", "n", 0, 2000),
        new("soil.p", "soil", "p", 0, 2000),
        new("soil.k", "soil", "k", 0, 2000),
        new("soil.ph", "soil", "ph", 0, 14),
        new("air.temp", "air", "temp", -40, 85),
        new("air.rh", "air", "rh", 0, 100),
        new("air.pressure", "air", "pressure", 300, 1100),
        new("air.pm1", "air", "pm1", 0, 1000),
        new("air.pm25", "air", "pm25", 0, 1000),
        new("air.pm10", "air", "pm10", 0, 1000),
        new("air.co2", "air", "co2", 0, 40000),
        new("device.battery", "device", "battery", 0, 5),
        new("device.rssi", "device", "rssi", -120, 0),
    ];

    public static Quantity? Find(string code)
    {
        foreach (var q in All)
        {
            if (q.Code == code)
            {
                return q;
            }
        }

        return null;
    }
}
