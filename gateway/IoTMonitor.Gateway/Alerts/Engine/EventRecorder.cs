// Events and the outbox: every alert change is recorded as an event with its notice (what, where, how
// bad, since when, what to do) and one outbox row per channel and recipient, in the transaction of the
// change; who gets which event type each channel decides (Channels/{Name}/, docs/alerts.md, Channels),
// and a flash-flood level's warning targets are told besides.

using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Alerts.FlashFlood;
using IoTMonitor.Gateway.Alerts.NoticeText;
using IoTMonitor.Gateway.Model;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Writes an alert change's event, notice and outbox rows. One reason to change: what a notice says
/// and who receives it. Not thread-safe: used under the engine's lock, inside the group's transaction.
/// </summary>
internal sealed class EventRecorder(AlertStore store, IReadOnlyList<IAlertChannel> channels, Func<string, SiteInfo?> sites, FlashFloodWatch? flood, ILogger log)
{
    /// <summary>Records the event and queues its notices; true when a notice was queued.</summary>
    public bool Record(AlertRule rule, Alert alert, string type, DateTimeOffset now, string? by, DateTimeOffset? due = null, string? detail = null)
    {
        var eventId = AlertEngine.NewId();
        var notice = Notice(rule, alert, type, eventId, now, by);
        var payload = JsonSerializer.Serialize(notice, AlertRule.Json);
        store.AddEvent(new AlertEvent(eventId, alert.Id, type, now, detail ?? payload));
        var queued = false;
        foreach (var (channel, recipient) in Targets(type, alert.Late).Concat(FlashFloodContacts(rule, alert, type)))
        {
            queued |= store.Enqueue($"{eventId}:{channel}:{recipient}", alert.Id, eventId, type, channel, recipient, payload, due ?? now, now);
        }

        if (type is AlertEventTypes.Opened or AlertEventTypes.Late or AlertEventTypes.Escalated)
        {
            log.LogWarning("Alert {Type}: {Subject}", type, notice.Subject());
        }

        return queued;
    }

    /// <summary>Who gets the event: each channel's own routing (Channels/{Name}/), in registration order.</summary>
    private IEnumerable<(string Channel, string Recipient)> Targets(string type, bool late)
    {
        foreach (var channel in channels)
        {
            foreach (var recipient in channel.Recipients(type, late))
            {
                yield return (channel.Name, recipient);
            }
        }
    }

    private AlertNotice Notice(AlertRule rule, Alert alert, string type, string eventId, DateTimeOffset now, string? by)
    {
        var info = sites(alert.Site);
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

    /// <summary>The notice's action for a flash-flood level: who must move, where to, and whom to call; other rules keep theirs.</summary>
    private string ActionOf(AlertRule rule, string site, bool zh)
    {
        if (rule.Kind != RuleKind.FlashFlood || flood?.Site(site) is not { } config)
        {
            return zh ? rule.ActionZh : rule.Action;
        }

        var text = zh && rule.ActionZh.Length > 0 ? rule.ActionZh : rule.Action;

        var level = flood.Pack.Levels.FirstOrDefault(l => l.RuleId == rule.Id)?.Level ?? WarningLevel.Prepare;
        return WarningTargets.Describe(text, level, config, zh);
    }

    /// <summary>The warning targets' contacts on the SMS and e-mail channels (when those are on): they are told as the primary list is.</summary>
    private IEnumerable<(string Channel, string Recipient)> FlashFloodContacts(AlertRule rule, Alert alert, string type)
    {
        if (rule.Kind != RuleKind.FlashFlood || alert.Late || flood?.Site(alert.Site) is not { } config
            || type is not (AlertEventTypes.Opened or AlertEventTypes.Renotified or AlertEventTypes.Escalated or AlertEventTypes.Resolved))
        {
            yield break;
        }

        foreach (var channel in channels)
        {
            foreach (var recipient in WarningTargets.Recipients(config, channel.Name))
            {
                yield return (channel.Name, recipient);
            }
        }
    }
}
