namespace IoTMonitor.Gateway.Forwarding;

/// <summary>
/// Message times of one outbox, the source of HJ 212 QNs (the request number: a time to the
/// millisecond, <c>yyyyMMddHHmmssSSS</c>, HJ 212-2017 §6.3, Table 3). A platform matches each
/// answer to its packet by QN, so no two packets of one outbox may share one; and it sees them in
/// the order they are sent, so they must not go back. A time is the clock cut to the millisecond,
/// but at least one millisecond after the last time issued: two packets in one millisecond, a clock
/// stepped back, or (with replicas) a replica whose clock lags the one that issued the last time.
/// </summary>
public static class MessageTimes
{
    public static DateTimeOffset After(DateTimeOffset last, DateTimeOffset clock)
    {
        var ms = new DateTimeOffset(clock.UtcTicks - (clock.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        return ms > last ? ms : last.AddMilliseconds(1);
    }
}
