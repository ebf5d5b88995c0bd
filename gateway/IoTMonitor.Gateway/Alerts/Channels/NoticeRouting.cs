
namespace IoTMonitor.Gateway.Alerts.Channels;

/// <summary>
/// The routing rules channels share (docs/alerts.md, "Channels"): machine channels take every event
/// but <c>reopened</c>; paging channels page contact lists; a late (backlog) event only goes to the
/// channels named in <see cref="AlertsOptions.LateChannels"/> and never pages.
/// </summary>
public static class NoticeRouting
{
    /// <summary>Every event type the engine writes.</summary>
    public static readonly IReadOnlyList<string> EventTypes =
    [
        AlertEventTypes.Opened, AlertEventTypes.Renotified, AlertEventTypes.Escalated, AlertEventTypes.Acknowledged,
        AlertEventTypes.Resolved, AlertEventTypes.Reopened, AlertEventTypes.Late, AlertEventTypes.Flapping,
    ];

    /// <summary>What people in a chat group need to hear about: every live event but <c>reopened</c> (the reopen is one alert, not a new one).</summary>
    public static readonly IReadOnlyList<string> PeopleEvents =
    [
        AlertEventTypes.Opened, AlertEventTypes.Renotified, AlertEventTypes.Escalated, AlertEventTypes.Acknowledged,
        AlertEventTypes.Resolved, AlertEventTypes.Flapping,
    ];

    public static bool IsLate(string type, bool late) => late || type == AlertEventTypes.Late;

    /// <summary>A machine channel (webhook, MQTT, InfluxDB): late events only when named in <see cref="AlertsOptions.LateChannels"/>.</summary>
    public static bool MachineTakes(AlertsOptions alerts, string channel, string type, bool late) =>
        IsLate(type, late) ? alerts.EffectiveLateChannels.Contains(channel) : type != AlertEventTypes.Reopened;

    /// <summary>A channel with an explicit event list (<paramref name="events"/>): late events only when named in <see cref="AlertsOptions.LateChannels"/>.</summary>
    public static bool ListedTakes(AlertsOptions alerts, string channel, IReadOnlyCollection<string> events, string type, bool late) =>
        IsLate(type, late) ? alerts.EffectiveLateChannels.Contains(channel) : events.Contains(type);

    /// <summary>The contact list an event pages (e-mail: opened, renotified, escalated, resolved, flapping; SMS: opened, renotified, escalated); null = none.</summary>
    public static ContactList? PagedList(AlertsOptions alerts, string type, bool late, bool sms)
    {
        if (IsLate(type, late))
        {
            return null;
        }

        return type switch
        {
            AlertEventTypes.Opened or AlertEventTypes.Renotified => alerts.Primary,
            AlertEventTypes.Escalated => alerts.Escalation,
            AlertEventTypes.Resolved or AlertEventTypes.Flapping when !sms => alerts.Primary,
            _ => null,
        };
    }

    /// <summary>Start-up check of an event list: every name must be an event type (an unknown one would silently route nothing).</summary>
    public static IEnumerable<string> CheckEvents(string key, IEnumerable<string> events)
    {
        foreach (var e in events)
        {
            if (!EventTypes.Contains(e))
            {
                yield return $"{key}: '{e}' is not an event type (one of {string.Join(", ", EventTypes)})";
            }
        }
    }
}
