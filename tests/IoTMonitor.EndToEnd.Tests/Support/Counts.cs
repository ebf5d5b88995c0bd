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

    /// <summary>
    /// Per device, the (boot, seq) pairs stored more than once over the reading measurements: a reading
    /// resent after a lost PUBACK and stored again under another time (a clock set from the network
    /// between the two sends) is one more point that a count equal to what was sampled could hide
    /// behind a reading missing elsewhere.
    /// </summary>
    public static async Task<Dictionary<string, (int Points, List<(long Boot, long Seq)> Duplicates)>> DuplicateSequencesAsync(InfluxDbServer influx, string database, IEnumerable<string> devices)
    {
        var result = new Dictionary<string, (int, List<(long, long)>)>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            var rows = await influx.RowsAsync($"SELECT \"boot\", \"seq\" FROM \"water\",\"soil\",\"air\",\"device\" WHERE \"device\" = '{device.Replace("'", "\\'", StringComparison.Ordinal)}'", database);
            var dup = rows.GroupBy(r => (r["boot"].GetInt64(), r["seq"].GetInt64())).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            result[device] = (rows.Count, dup);
        }

        return result;
    }
}
