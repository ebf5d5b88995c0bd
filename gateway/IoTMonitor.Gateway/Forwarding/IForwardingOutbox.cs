namespace IoTMonitor.Gateway.Forwarding;

/// <summary>
/// One packet of the outbox: a frame built once, with its message id (HJ 212 QN, SL 651 serial number),
/// sent until answered. <paramref name="Kind"/> is the protocol's message type (HJ 212 CN, SL 651 function code).
/// </summary>
public sealed record ForwardingOutboxEntry(long Id, string Kind, string Site, string Qn, string Frame, int Attempts);

/// <summary>What the outbox holds, for the API and metrics.</summary>
public sealed record ForwardingOutboxCounts(long Pending, long Sent, long Answered, DateTimeOffset? OldestPending);

/// <summary>
/// The persistent outbox of one platform of any forwarding protocol: <see cref="SqliteForwardingOutbox"/>
/// (a file per platform, one gateway) or <see cref="PostgresForwardingOutbox"/> (shared by replicas, only
/// the holder of the platform's lease sends). A packet is stored once under its identity (<c>key</c>), its
/// frame and message id fixed when stored, so the same data offered twice is not queued twice and a
/// packet sent again is the same packet. It also keeps, per site and message kind, the start of the next
/// period to aggregate, the periods late readings made dirty, and named counters.
/// </summary>
public interface IForwardingOutbox : IDisposable
{
    /// <summary>Whether a packet with this identity (or the first part of one split message) was stored before.</summary>
    bool Contains(string key);

    /// <summary>
    /// The next value of a persistent counter, 1 … <paramref name="max"/> and then 1 again (e.g. an SL 651
    /// serial number per station); it survives restarts with the outbox.
    /// </summary>
    int NextCounter(string name, int max);

    /// <summary>Stores the parts of one message in one transaction; false when its key was stored before (nothing changes).</summary>
    bool Add(string key, string kind, string site, long dataTime, IReadOnlyList<(string Qn, string Frame)> parts, DateTimeOffset now);

    /// <summary>
    /// Stores the parts of one message that <paramref name="compose"/> builds with message times from
    /// this outbox (<see cref="MessageTimes"/>, each call the next one; <paramref name="now"/> is the
    /// floor): unique and increasing in the order packets are stored and sent, also across replicas
    /// sharing the outbox. False when its key was stored before or it composed no part (nothing changes).
    /// </summary>
    bool AddStamped(string key, string kind, string site, long dataTime, Func<Func<DateTimeOffset>, IReadOnlyList<(string Qn, string Frame)>> compose, DateTimeOffset now);

    /// <summary>The oldest unsent packets, in the order they were stored; none while another replica holds the platform.</summary>
    List<ForwardingOutboxEntry> NextPending(int max);

    /// <summary>Counts an attempt at sending the packet; false when this gateway must not send it now (another replica holds the platform).</summary>
    bool BeginAttempt(long id);

    /// <summary>The platform answered it (9014), or it was written and no answer was asked for.</summary>
    void MarkDone(long id, bool answered, DateTimeOffset now);

    ForwardingOutboxCounts Counts();

    /// <summary>Deletes packets sent or answered before <paramref name="before"/>; pending ones stay however old.</summary>
    int Prune(DateTimeOffset before);

    /// <summary>Start of the next period of <paramref name="kind"/> to aggregate for the site, or null before the first.</summary>
    long? NextPeriod(string site, string kind);

    void SetNextPeriod(string site, string kind, long nextStart);

    /// <summary>A period already aggregated got a late reading: aggregate it again once <paramref name="due"/> (Unix seconds) has passed.</summary>
    void MarkDirty(string site, string kind, long start, long due);

    List<(string Site, string Kind, long Start, long Due)> DueDirty(long now, int max);

    void ClearDirty(string site, string kind, long start, long dueSeen);
}
