// Events and the outbox: every alert change is recorded as an event with its notice (what, where, how
// bad, since when, what to do) and one outbox row per channel and recipient, in the transaction of the
// change; who gets which event type each channel decides (Channels/{Name}/, docs/alerts.md, Channels).

using System.Text.Json;
using IoTMonitor.Gateway.Alerts.NoticeText;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    private bool Record(AlertRule rule, Alert alert, string type, DateTimeOffset now, string? by, DateTimeOffset? due = null, string? detail = null)
    {
        var eventId = NewId();
        var notice = Notice(rule, alert, type, eventId, now, by);
        var payload = JsonSerializer.Serialize(notice, AlertRule.Json);
        _store.AddEvent(new AlertEvent(eventId, alert.Id, type, now, detail ?? payload));
        var queued = false;
        foreach (var (channel, recipient) in Targets(type, alert.Late).Concat(FlashFloodContacts(rule, alert, type)))
        {
            queued |= _store.Enqueue($"{eventId}:{channel}:{recipient}", alert.Id, eventId, type, channel, recipient, payload, due ?? now, now);
        }

        if (type is AlertEventTypes.Opened or AlertEventTypes.Late or AlertEventTypes.Escalated)
        {
            _log.LogWarning("Alert {Type}: {Subject}", type, notice.Subject());
        }

        return queued;
    }

    /// <summary>Who gets the event: each channel's own routing (Channels/{Name}/), in registration order.</summary>
    private IEnumerable<(string Channel, string Recipient)> Targets(string type, bool late)
    {
        foreach (var channel in _channels)
        {
            foreach (var recipient in channel.Recipients(type, late))
            {
                yield return (channel.Name, recipient);
            }
        }
    }

    private AlertNotice Notice(AlertRule rule, Alert alert, string type, string eventId, DateTimeOffset now, string? by)
    {
        var info = SiteOf(alert.Site);
        return new AlertNotice
        {
            EventId = eventId,
            AlertId = alert.Id,
            Type = type,
            Late = alert.Late,
            State = alert.State,
            Severity = alert.Severity,
            RuleId = rule.Id,
            RuleName = rule.Name,
            RuleNameZh = rule.NameZh,
            Source = rule.Source,
            Limit = AlertNotice.LimitOf(rule),
            LimitZh = ChineseNoticeText.LimitOf(rule),
            Site = alert.Site,
            SiteName = info?.Name ?? string.Empty,
            SiteType = info?.Type ?? string.Empty,
            Basin = info?.Basin ?? string.Empty,
            Latitude = info?.Latitude,
            Longitude = info?.Longitude,
            Device = alert.Device,
            Quantity = alert.Quantity,
            Unit = rule.Kind == RuleKind.Battery ? "V" : rule.Kind == RuleKind.Silence ? "missed" : AlertNotice.UnitOf(alert.Quantity),
            Value = alert.Value,
            Worst = alert.Worst,
            Since = alert.Since,
            At = now,
            Trend = alert.Trend,
            Action = ActionOf(rule, alert.Site, zh: false),
            ActionZh = ActionOf(rule, alert.Site, zh: true),
            By = by,
            Kind = NoticeWords.KindCode(rule.Kind),
        };
    }

    internal static string NewId() => Guid.CreateVersion7().ToString("N");
}
