using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests.Support;

/// <summary>Per-device point counts in InfluxDB.</summary>
public static class Counts
{
    /// <summary>Points with a seq field per device, over the reading measurements (protocol §9).</summary>
    public static async Task<Dictionary<string, long>> PerDeviceAsync(InfluxDbServer influx, string database)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            var rows = await influx.RowsAsync("SELECT count(\"seq\") FROM \"water\",\"soil\",\"air\",\"device\" GROUP BY \"device\"", database);
            foreach (var row in rows)
            {
                var device = row["device"].GetString()!;
                result[device] = result.GetValueOrDefault(device) + row["count"].GetInt64();
            }
        }
        catch (InvalidOperationException)
        {
            // database not created yet
        }

        return result;
    }
}
