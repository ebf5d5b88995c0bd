namespace IoTMonitor.Gateway.Buffering;

/// <summary>Options of the write-ahead log (appsettings section <c>Buffering</c>).</summary>
public sealed class BufferingOptions
{
    public const string Section = "Buffering";

    /// <summary>Folder of the WAL segments; relative paths are under <c>Gateway:DataDir</c>.</summary>
    public string Directory { get; set; } = "wal";

    /// <summary>A segment is sealed and a new one started past this size.</summary>
    public long SegmentBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Bound of all segments together; appends beyond it are refused (the device retries).</summary>
    public long MaxBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>/health reports a warning when the WAL is fuller than this percentage of MaxBytes.</summary>
    public int WarnPercent { get; set; } = 80;

    /// <summary>
    /// Most bytes of unconfirmed records held in memory for the InfluxDB writer; past it the backlog
    /// stays on disk only and is read back as the writer catches up.
    /// </summary>
    public long MaxMemoryBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>fsync each group commit (turn off only for benchmarks of the rest of the pipeline).</summary>
    public bool Fsync { get; set; } = true;

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            yield return "Buffering:Directory must be set";
        }

        if (SegmentBytes < 64 * 1024)
        {
            yield return "Buffering:SegmentBytes must be ≥ 65536";
        }

        if (MaxBytes < SegmentBytes * 2)
        {
            yield return "Buffering:MaxBytes must be ≥ 2 × Buffering:SegmentBytes";
        }

        if (MaxMemoryBytes < 1024 * 1024)
        {
            yield return "Buffering:MaxMemoryBytes must be ≥ 1048576";
        }

        if (WarnPercent is < 1 or > 100)
        {
            yield return "Buffering:WarnPercent must be 1–100";
        }
    }
}
