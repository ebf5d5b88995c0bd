namespace IoTMonitor.Gateway.Model;

/// <summary>
/// Raised after a telemetry batch is durable in the WAL (past tense: a notification, it cannot
/// veto). A copy of the validated readings: the decoder's buffers are reused for the next message.
/// Allocated only when there are handlers.
/// </summary>
public sealed class ReadingsDurableEventArgs : EventArgs
{
    private Task? _acknowledgeAfter;

    /// <param name="acknowledgementWaits">
    /// The listener acknowledges the message only once the work the handlers register with
    /// <see cref="AcknowledgeAfter(Task)"/> is done (the cluster consumer: a replica killed after its ack
    /// would otherwise take the batch's alert evaluation with it, while the broker gives an unacknowledged
    /// message to the next replica).
    /// </param>
    public ReadingsDurableEventArgs(DecodeResult result, DateTimeOffset receivedAt, bool acknowledgementWaits = false)
    {
        AcknowledgementWaits = acknowledgementWaits;
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

    /// <summary>Whether the acknowledgement of the message waits for what handlers register (<see cref="AcknowledgeAfter(Task)"/>).</summary>
    public bool AcknowledgementWaits { get; }

    /// <summary>What the acknowledgement waits for (null: nothing); cancelled when that work will not happen here.</summary>
    public Task? Pending => _acknowledgeAfter;

    /// <summary>
    /// A handler keeps the batch for work done later (the alert engine's group commit): when
    /// <see cref="AcknowledgementWaits"/>, the message is acknowledged after <paramref name="done"/>
    /// completes, and not at all when it is cancelled. Handlers run one after another on one thread.
    /// </summary>
    public void AcknowledgeAfter(Task done) =>
        _acknowledgeAfter = _acknowledgeAfter is null ? done : Task.WhenAll(_acknowledgeAfter, done);
}
