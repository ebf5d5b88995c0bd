namespace IoTMonitor.Gateway.Model;

/// <summary>
/// Raised after a telemetry batch is durable in the WAL (past tense: a notification, it cannot
/// veto). A copy of the validated readings: the decoder's buffers are reused for the next message.
/// Allocated only when there are handlers.
/// </summary>
public sealed class ReadingsDurableEventArgs : EventArgs
{
    public ReadingsDurableEventArgs(DecodeResult result, DateTimeOffset receivedAt)
    {
        Site = result.Site;
        Device = result.Device;
        Boot = result.Boot;
        Battery = result.Battery;
        HealthTime = result.HealthTime;
        Readings = result.Readings.ToArray();
        PowerMode = result.PowerMode;
        ReceivedAt = receivedAt;
    }

    public string Site { get; }

    public string Device { get; }

    public long Boot { get; }

    /// <summary>Health <c>h.bat</c> in volts.</summary>
    public double Battery { get; }

    /// <summary>Time of the health values (Unix seconds).</summary>
    public long HealthTime { get; }

    public Reading[] Readings { get; }

    /// <summary>Health <c>h.pwr</c>, the node's low-battery mode, when the batch sent it (3 = cut-off: the node stops uploading).</summary>
    public long? PowerMode { get; }

    /// <summary>Gateway time the batch was received.</summary>
    public DateTimeOffset ReceivedAt { get; }
}
