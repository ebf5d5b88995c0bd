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

    /// <summary>Series windows up to this many seconds are folded by the gateway from raw points (fetched with a per-series LIMIT of twice the window count; beyond it the <c>GROUP BY time</c> query runs). 0 = always <c>GROUP BY time</c>.</summary>
    public int RawWindowSeconds { get; set; } = 300;

    /// <summary>Whole-day series windows are answered from daily rollups kept in memory for days up to this many days back (older days are read live). 0 = no rollups (use when anything but this gateway writes the database, docs/api.md).</summary>
    public int RollupDays { get; set; } = 3660;

    /// <summary>A day is stored in the rollups only once it ended, and no reading for it was accepted, at least this many seconds ago (covers the writer's batching).</summary>
    public int RollupGraceSeconds { get; set; } = 120;

    /// <summary>CSV export: time span of one InfluxQL request, days (the export streams one span after another).</summary>
    public int ExportSpanDays { get; set; } = 7;

    /// <summary>Report interval assumed for a device until two of its messages have been seen, seconds.</summary>
    public int DefaultReportIntervalSeconds { get; set; } = 3600;

    /// <summary>
    /// Least report interval assumed from observed gaps, seconds: a device heard only in a burst of
    /// messages seconds apart is offline after <see cref="OfflineAfterIntervals"/> × this, not × the default.
    /// </summary>
    public int MinReportIntervalSeconds { get; set; } = 60;

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

        if (RawWindowSeconds is < 0 or > 86400)
        {
            yield return "Query:RawWindowSeconds must be 0–86400";
        }

        if (RollupDays < 0)
        {
            yield return "Query:RollupDays must be ≥ 0";
        }

        if (RollupGraceSeconds < 0)
        {
            yield return "Query:RollupGraceSeconds must be ≥ 0";
        }

        if (ExportSpanDays < 1)
        {
            yield return "Query:ExportSpanDays must be ≥ 1";
        }

        if (DefaultReportIntervalSeconds < 1)
        {
            yield return "Query:DefaultReportIntervalSeconds must be ≥ 1";
        }

        if (MinReportIntervalSeconds < 1 || MinReportIntervalSeconds > DefaultReportIntervalSeconds)
        {
            yield return "Query:MinReportIntervalSeconds must be 1..Query:DefaultReportIntervalSeconds";
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
