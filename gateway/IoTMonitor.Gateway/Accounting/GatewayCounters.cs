namespace IoTMonitor.Gateway.Accounting;

/// <summary>
/// Counters per hop, in the order a message travels: received → invalid (dead-lettered at decode)
/// → durable (in the WAL) → written (confirmed by InfluxDB) → dead-lettered (refused by InfluxDB).
/// Readings and points are counted beside messages. All updates are atomic.
/// </summary>
public sealed class GatewayCounters
{
    public long MessagesReceived;
    public long MessagesInvalid;
    public long MessagesDurable;
    public long MessagesRefused;
    public long ReadingsReceived;
    public long ReadingsInvalid;
    public long ReadingsDurable;
    public long PointsDurable;
    public long PointsWritten;
    public long PointsDeadLettered;
    public long DeadLetters;
    public long Duplicates;
    public long AuthFailures;
    public long AclDenials;
    public long PacketsTooLarge;
    public long ConnectTimeouts;
    public long PendingEvictions;
    public long WalFull;
    public long InfluxWriteRequests;
    public long InfluxWriteErrors;

    // the return leg (Downlink/): gateway -> node config and commands, node -> gateway acks
    public long DownlinkConfigPublished;
    public long DownlinkCommandsPublished;
    public long DownlinkPublishFailures;
    public long DownlinkConfigAcks;
    public long DownlinkConfigRejections;
    public long DownlinkCommandAcks;
    public long DownlinkCommandFailures;
    public long DownlinkAckDuplicates;
    public long DownlinkAcksDeferred;
    public long DownlinkAcksInvalid;

    public static void Add(ref long counter, long value) => Interlocked.Add(ref counter, value);

    public static void Inc(ref long counter) => Interlocked.Increment(ref counter);

    public static long Read(ref long counter) => Interlocked.Read(ref counter);
}
