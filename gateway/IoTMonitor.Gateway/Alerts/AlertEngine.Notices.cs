// Events and the outbox: every alert change is recorded as an event with its notice (what, where, how
// bad, since when, what to do) and one outbox row per channel and recipient, in the transaction of the
// change; who gets which event type is decided here (docs/alerts.md, Lifecycle and Channels).

using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Internal;
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
        foreach (var (channel, recipient) in Targets(type, alert.Late))
        {
            queued |= _store.Enqueue($"{eventId}:{channel}:{recipient}", alert.Id, eventId, type, channel, recipient, payload, due ?? now, now);
        }

        if (type is AlertEventTypes.Opened or AlertEventTypes.Late or AlertEventTypes.Escalated)
        {
            _log.LogWarning("Alert {Type}: {Subject}", type, notice.Subject());
        }

        return queued;
    }

    private IEnumerable<(string Channel, string Recipient)> Targets(string type, bool late)
    {
        var machine = new List<(string, string)>();
        foreach (var url in _options.Webhook.Urls)
        {
            machine.Add(("webhook", url));
        }

        if (_options.Mqtt.Enabled)
        {
            machine.Add(("mqtt", _options.Mqtt.TopicPrefix));
        }

        if (_options.Influx.Enabled)
        {
            machine.Add(("influx", _options.Influx.Measurement));
        }

        if (late || type == AlertEventTypes.Late)
        {
            return machine.Where(t => _options.EffectiveLateChannels.Contains(t.Item1));
        }

        IEnumerable<(string, string)> Page(ContactList list, bool sms) =>
            (_options.Email.Host.Length > 0 ? list.Emails.Select(e => ("email", e)) : [])
            .Concat(sms && _options.Sms.UrlTemplate.Length > 0 ? list.Phones.Select(p => ("sms", p)) : []);

        return type switch
        {
            AlertEventTypes.Opened or AlertEventTypes.Renotified => machine.Concat(Page(_options.Primary, sms: true)),
            AlertEventTypes.Escalated => machine.Concat(Page(_options.Escalation, sms: true)),
            AlertEventTypes.Resolved or AlertEventTypes.Flapping => machine.Concat(Page(_options.Primary, sms: false)),
            AlertEventTypes.Reopened => machine.Where(t => t.Item1 == "influx"),
            _ => machine,
        };
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
            Source = rule.Source,
            Limit = AlertNotice.LimitOf(rule),
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
            Action = rule.Action,
            By = by,
        };
    }

    internal static string NewId() => Guid.CreateVersion7().ToString("N");
}
