
namespace IoTMonitor.Gateway.Alerts.Channels;

/// <summary>
/// One way to deliver an alert event, with its routing. <see cref="Recipients"/> says who on this
/// channel gets an event (the engine writes one outbox row per recipient, in the transaction of
/// the change); <see cref="SendAsync"/> returns the receiver's receipt once the receiver has
/// accepted the notification, and throws when it has not (the outbox retries);
/// <see cref="PermanentDeliveryException"/> means a retry cannot help,
/// <see cref="DeliveryDeferredException"/> that the receiver asked to be called later (a rate
/// limit). Every send carries the outbox key (<c>{event}:{channel}:{recipient}</c>) so a receiver
/// can drop a resend. Each channel lives in its own folder under <c>Channels/</c> with its options
/// and its registration (docs/architecture.md, "How to add an alert channel").
/// </summary>
public interface IAlertChannel
{
    /// <summary>webhook, email, sms, mqtt, influx, wecom, dingtalk: the outbox's channel column.</summary>
    string Name { get; }

    /// <summary>
    /// The recipients of an event of <paramref name="type"/> on this channel (empty: the channel
    /// takes no part). <paramref name="late"/>: the alert comes from a backlog (history, pages nobody).
    /// </summary>
    IEnumerable<string> Recipients(string type, bool late);

    Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken);
}

/// <summary>The receiver refused the notification for good (e.g. HTTP 400, a bad address).</summary>
public sealed class PermanentDeliveryException(string message) : Exception(message);

/// <summary>
/// The receiver (or the channel's own count of the receiver's documented limit) says: not now,
/// after <see cref="RetryAfter"/>. The outbox keeps the entry pending with that due time and does
/// not count it as a failed attempt, so a rate-limited notice is delivered later, never dropped.
/// </summary>
public sealed class DeliveryDeferredException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
