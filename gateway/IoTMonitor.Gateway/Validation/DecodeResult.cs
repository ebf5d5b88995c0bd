namespace IoTMonitor.Gateway.Validation;

/// <summary>Dead-letter reasons (docs/protocol.md §12).</summary>
public static class DecodeError
{
    public const string TooLarge = "too_large";
    public const string BadTopic = "bad_topic";
    public const string NotJson = "not_json";
    public const string BadVersion = "bad_version";
    public const string MissingField = "missing_field";
    public const string BadType = "bad_type";
    public const string BadReading = "bad_reading";
    public const string TooManyReadings = "too_many_readings";
    public const string UnknownQuantity = "unknown_quantity";
    public const string NotFinite = "not_finite";
    public const string NullWithoutFlag = "null_without_flag";
    public const string ImplausibleValue = "implausible_value";
    public const string FutureTime = "future_time";
    public const string UnsyncedTime = "unsynced_time";
    public const string DuplicateKey = "duplicate_key";
    public const string UnknownDevice = "unknown_device";
    public const string Unauthorized = "unauthorized";
}

/// <summary>Quality flag bits (docs/protocol.md §4).</summary>
[Flags]
public enum ReadingFlags
{
    None = 0,
    OutOfRange = 1,
    Stuck = 2,
    NoValue = 4,
    WarmingUp = 8,
    Uncalibrated = 16,
    TimeEstimated = 32,
    SensorFault = 64,
}

/// <summary>One decoded, validated reading.</summary>
public struct Reading
{
    public long N;
    public long T;
    public Quantity Quantity;
    public double? Value;
    public long Flags;
    public double? Raw;

    /// <summary>Index of the reading in the batch's <c>r</c> array.</summary>
    public int Index;
}

/// <summary>A reading the decoder refused, by its index in the batch's <c>r</c> array.</summary>
public readonly record struct RejectedReading(int Index, string Reason);

/// <summary>
/// The result of decoding one telemetry payload. Reused across messages by one decoder caller
/// (see <see cref="Reset"/>) so the hot path allocates little.
/// </summary>
public sealed class DecodeResult
{
    public string? Error { get; internal set; }

    /// <summary>What exactly was wrong with the envelope (the key, or the JSON reader's message), for the dead letter.</summary>
    public string? ErrorDetail { get; internal set; }

    public string Site { get; internal set; } = string.Empty;

    public string Device { get; internal set; } = string.Empty;

    public long Boot { get; internal set; }

    public long Clk { get; internal set; }

    /// <summary>Time of the health point: <see cref="Clk"/>, rebased when the clock is unsynced.</summary>
    public long HealthTime { get; internal set; }

    public string Fw { get; internal set; } = string.Empty;

    public string? Cal { get; internal set; }

    public double Battery { get; internal set; }

    public long Rssi { get; internal set; }

    public long QueueDepth { get; internal set; }

    public long Dropped { get; internal set; }

    public long ResetReason { get; internal set; }

    /// <summary>Health <c>pwr</c>: the node's low-battery mode (0 normal … 3 cut-off); null when the batch has none (normal, or an older node).</summary>
    public long? PowerMode { get; internal set; }

    /// <summary>Health <c>drift</c>: the node's RTC rate error at its last SNTP re-sync, ppm (positive: fast); null when not sent.</summary>
    public long? DriftPpm { get; internal set; }

    /// <summary>Health <c>unp</c>: readings the node discarded because they cannot be placed in time (its lifetime count); null when not sent.</summary>
    public long? Unplaceable { get; internal set; }

    public List<Reading> Readings { get; } = new(8);

    public List<RejectedReading> Rejected { get; } = new();

    /// <summary>True when the envelope was accepted (some readings may still have been rejected).</summary>
    public bool IsValid => Error is null;

    public void Reset()
    {
        Error = null;
        ErrorDetail = null;
        Site = Device = Fw = string.Empty;
        Cal = null;
        Boot = Clk = HealthTime = Rssi = QueueDepth = Dropped = ResetReason = 0;
        Battery = 0;
        PowerMode = null;
        DriftPpm = null;
        Unplaceable = null;
        Readings.Clear();
        Rejected.Clear();
    }
}
