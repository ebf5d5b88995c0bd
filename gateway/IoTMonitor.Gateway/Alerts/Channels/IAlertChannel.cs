using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts.Channels;

/// <summary>
/// One way to deliver an alert event. <see cref="SendAsync"/> returns the receiver's receipt once
/// the receiver has accepted the notification, and throws when it has not (the outbox retries);
/// <see cref="PermanentDeliveryException"/> means a retry cannot help. Every send carries the
/// outbox key (<c>{event}:{channel}:{recipient}</c>) so a receiver can drop a resend.
/// </summary>
public interface IAlertChannel
{
    /// <summary>webhook, email, sms, mqtt or influx: the outbox's channel column.</summary>
    string Name { get; }

    Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken);
}

/// <summary>The receiver refused the notification for good (e.g. HTTP 400, a bad address).</summary>
public sealed class PermanentDeliveryException(string message) : Exception(message);
