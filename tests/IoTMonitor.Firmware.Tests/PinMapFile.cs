namespace IoTMonitor.Firmware.Tests;

/// <summary>Reads hardware/{type}/pinmap.csv; notes may contain commas (last column).</summary>
public static class PinMapFile
{
    public const string Header = "signal,gpio,function,sensor,notes";

    public static List<PinRow> Read(string type) => Parse(File.ReadAllText(RepoPaths.Combine("hardware", type, "pinmap.csv")));

    public static List<PinRow> Parse(string csv)
    {
        var lines = csv.Replace("\r", "", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Header, lines[0]);
        var rows = new List<PinRow>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',', 5);
            Assert.True(f.Length == 5, "pin map row without 5 columns: " + line);
            rows.Add(new PinRow(f[0], int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), f[2], f[3].Split(';'), f[4]));
        }

        return rows;
    }
}
