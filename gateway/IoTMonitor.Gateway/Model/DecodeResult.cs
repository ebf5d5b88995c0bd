namespace IoTMonitor.Gateway.Model;

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

    /// <summary>Health <c>ev</c>: 1 while the node is in event mode (fast sampling in a storm); null when the batch has none.</summary>
    public long? EventMode { get; internal set; }

    /// <summary>Health <c>drift</c>: the node's RTC rate error at its last SNTP re-sync, ppm (positive: fast); null when not sent.</summary>
    public long? DriftPpm { get; internal set; }

    /// <summary>Health <c>unp</c>: readings the node discarded because they cannot be placed in time (its lifetime count); null when not sent.</summary>
    public long? Unplaceable { get; internal set; }

    /// <summary>Health <c>op</c>: a cellular node's operator name (AT+COPS?); null when not sent.</summary>
    public string? Operator { get; internal set; }

    /// <summary>Health <c>act</c>: a cellular node's access technology (3GPP TS 27.007 &lt;AcT&gt;: 7 LTE, 9 NB-IoT); null when not sent.</summary>
    public long? AccessTech { get; internal set; }

    /// <summary>Health <c>rsrp</c>: a cellular node's serving-cell RSRP, dBm; null when not sent.</summary>
    public long? Rsrp { get; internal set; }

    /// <summary>Health <c>iccid</c>: the SIM's ICCID, sent in the first batch after the node's link connected; null when not sent.</summary>
    public string? Iccid { get; internal set; }

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
        EventMode = null;
        DriftPpm = null;
        Unplaceable = null;
        Operator = null;
        AccessTech = null;
        Rsrp = null;
        Iccid = null;
        Readings.Clear();
        Rejected.Clear();
    }
}
