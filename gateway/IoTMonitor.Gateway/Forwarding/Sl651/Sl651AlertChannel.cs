using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Alerts.Channels;

namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>
/// Flash-flood warnings to the hydrology platforms: an alert channel (<c>sl651</c>) whose only
/// recipient is the forwarder. A flash-flood warning (rules <c>flashflood.*</c>) raised or escalated,
/// not from a backlog, becomes an additional report (33) of the site's station on each platform; the
/// alert outbox retries until the report is stored, and the event id keeps it to one report.
/// </summary>
public sealed class Sl651AlertChannel(Sl651Forwarder forwarder) : IAlertChannel
{
    private const string Recipient = "platforms";

    public string Name => "sl651";

    public IEnumerable<string> Recipients(string type, bool late) =>
        !late && type is AlertEventTypes.Opened or AlertEventTypes.Escalated ? [Recipient] : [];

    public async Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken)
    {
        if (!notice.RuleId.StartsWith("flashflood.", StringComparison.Ordinal))
        {
            return "not a flash-flood warning: no report";
        }

        var n = await forwarder.QueueEventAsync(notice.Site, notice.EventId, notice.At, cancellationToken).ConfigureAwait(false);
        return n == 0 ? "site reported to no SL 651 platform, or no data" : $"additional report (33) queued for {n} station(s)";
    }
}
