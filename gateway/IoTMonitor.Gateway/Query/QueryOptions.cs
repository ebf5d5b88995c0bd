namespace IoTMonitor.Gateway.Query;

/// <summary>Options of the query API and the latest-value cache (appsettings section <c>Query</c>).
/// InfluxDB's address, database and token are those of <c>Storage</c>.</summary>
public sealed class QueryOptions
{
    public const string Section = "Query";

    /// <summary>Most points one series request may return (windows × series); beyond it the client is told to narrow the range or widen the window.</summary>
    public int MaxPoints { get; set; } = 100_000;

    /// <summary>Longest time range of one request, days.</summary>
    public int MaxRangeDays { get; set; } = 3660;

    /// <summary>Timeout of one InfluxQL request, seconds.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Rows per chunk of InfluxDB's chunked answers.</summary>
    public int ChunkSize { get; set; } = 10_000;

    /// <summary>CSV export: time span of one InfluxQL request, days (the export streams one span after another).</summary>
    public int ExportSpanDays { get; set; } = 7;

    /// <summary>Report interval assumed for a device until two of its messages have been seen, seconds.</summary>
    public int DefaultReportIntervalSeconds { get; set; } = 3600;

    /// <summary>A device is offline when silent for this many report intervals.</summary>
    public double OfflineAfterIntervals { get; set; } = 3;

    /// <summary>Battery below this (volts) makes the site a warning.</summary>
    public double LowBatteryVolts { get; set; } = 3.4;

    /// <summary>On start the cache is filled with the last values of this many days from InfluxDB (once; later updates come from the stream).</summary>
    public int CacheWarmDays { get; set; } = 30;

    internal IEnumerable<string> Validate()
    {
        if (MaxPoints is < 100 or > 10_000_000)
        {
            yield return "Query:MaxPoints must be 100–10000000";
        }

        if (MaxRangeDays is < 1 or > 36600)
        {
            yield return "Query:MaxRangeDays must be 1–36600";
        }

        if (TimeoutSeconds < 1)
        {
            yield return "Query:TimeoutSeconds must be ≥ 1";
        }

        if (ChunkSize is < 100 or > 1_000_000)
        {
            yield return "Query:ChunkSize must be 100–1000000";
        }

        if (ExportSpanDays < 1)
        {
            yield return "Query:ExportSpanDays must be ≥ 1";
        }

        if (DefaultReportIntervalSeconds < 1)
        {
            yield return "Query:DefaultReportIntervalSeconds must be ≥ 1";
        }

        if (OfflineAfterIntervals < 1)
        {
            yield return "Query:OfflineAfterIntervals must be ≥ 1";
        }

        if (CacheWarmDays < 0)
        {
            yield return "Query:CacheWarmDays must be ≥ 0";
        }
    }
}
