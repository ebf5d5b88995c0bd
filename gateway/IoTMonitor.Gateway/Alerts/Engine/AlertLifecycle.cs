// The alert lifecycle: one alert per rule and subject through open -> acknowledged -> resolved;
// raising (with flapping reopenings and late alerts), holding, clearing, re-notification,
// escalation and the operators' acknowledge / resolve (docs/alerts.md, Lifecycle).

using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Moves alerts through their states and records each move (<see cref="EventRecorder"/>). One reason
/// to change: the lifecycle's rules. Not thread-safe: used under the engine's lock, inside a
/// transaction. Every method returns whether a notice was queued.
/// </summary>
internal sealed class AlertLifecycle(AlertsOptions options, AlertStore store, RuleSet rules, RuleStates states, EventRecorder events)
{
    public bool Raise(AlertRule rule, string site, string device, RuleState state, Evaluation eval, bool late, DateTimeOffset now)
    {
        var subject = SubjectOf(rule, site, device);
        var since = DateTimeOffset.FromUnixTimeSeconds(state.Since ?? now.ToUnixTimeSeconds());
        var active = store.FindActive(rule.Id, subject);
        if (active is not null)
        {
            // per-site rule already open through another device
            return Hold(rule, site, device, state, eval, late, now);
        }

        var recent = options.FlapWindowSeconds > 0 ? store.FindResolvedSince(rule.Id, subject, now.AddSeconds(-options.FlapWindowSeconds)) : null;
        if (recent is not null && !recent.Late && recent.ResolvedBy is null)
        {
            // flapping: reopen the same alert, cancel its pending resolved notice, page nobody again
            var flaps = recent.Flaps + 1;
            var reopened = recent with
            {
                State = recent.AcknowledgedAt is null ? AlertStates.Open : AlertStates.Acknowledged,
                ResolvedAt = null,
                Flaps = flaps,
                Flapping = recent.Flapping || flaps >= options.FlapThreshold,
                Value = eval.Value,
                Worst = Worse(rule, recent.Worst, eval.Value),
                Trend = eval.Trend,
            };
            store.SaveAlert(reopened);
            store.CancelPending(recent.Id, AlertEventTypes.Resolved);
            var queued = events.Record(rule, reopened, AlertEventTypes.Reopened, now, null);
            if (!recent.Flapping && reopened.Flapping)
            {
                queued |= events.Record(rule, reopened, AlertEventTypes.Flapping, now, null);
            }

            return queued;
        }

        var alert = new Alert
        {
            Id = AlertEngine.NewId(),
            RuleId = rule.Id,
            RuleName = rule.Name,
            Kind = rule.Kind.ToString(),
            Subject = subject,
            Site = site,
            Device = device,
            Quantity = rule.Kind is RuleKind.Silence or RuleKind.Battery ? null : rule.Quantity,
            Severity = rule.Severity.ToString().ToLowerInvariant(),
            State = AlertStates.Open,
            Late = late,
            Since = since,
            DetectedAt = now,
            Value = eval.Value,
            Worst = eval.Value,
            Trend = eval.Trend,
            LastNotifiedAt = late ? null : now,
        };
        store.SaveAlert(alert);
        return events.Record(rule, alert, late ? AlertEventTypes.Late : AlertEventTypes.Opened, now, null);
    }

    public bool Hold(AlertRule rule, string site, string device, RuleState state, Evaluation eval, bool late, DateTimeOffset now)
    {
        var alert = store.FindActive(rule.Id, SubjectOf(rule, site, device));
        if (alert is null)
        {
            // resolved by an operator while the condition still holds: a new alert needs a new crossing
            return false;
        }

        var updated = alert with { Value = eval.Value, Worst = Worse(rule, alert.Worst, eval.Value), Trend = eval.Trend };
        if (alert.Late && !late)
        {
            // a backlog exceedance that is still on in live data is a live emergency now: page it
            updated = updated with { Late = false, DetectedAt = now, LastNotifiedAt = now };
            store.SaveAlert(updated);
            return events.Record(rule, updated, AlertEventTypes.Opened, now, null);
        }

        store.SaveAlert(updated);
        return false;
    }

    public bool Clear(AlertRule rule, string site, string device, Evaluation eval, bool late, DateTimeOffset now)
    {
        var subject = SubjectOf(rule, site, device);
        if (rule.Per == "site" && states.ActiveElsewhere(rule.Id, site, device))
        {
            return false;
        }

        var alert = store.FindActive(rule.Id, subject);
        if (alert is null)
        {
            return false;
        }

        var resolved = alert with { State = AlertStates.Resolved, ResolvedAt = now, Value = eval.Value, Trend = eval.Trend };
        store.SaveAlert(resolved);
        return events.Record(rule, resolved, AlertEventTypes.Resolved, now, null, alert.Late ? now : now.AddSeconds(options.FlapWindowSeconds));
    }

    public bool RenotifyAndEscalate(DateTimeOffset now)
    {
        var queued = false;
        foreach (var alert in store.ListActive())
        {
            if (alert.State != AlertStates.Open || alert.Late || alert.Flapping || !store.Ownership.Owns(alert.Site))
            {
                continue;
            }

            var rule = rules.ById(alert.RuleId);
            if (rule is null)
            {
                continue;
            }

            if (options.EscalateMinutes > 0 && !alert.Escalated && now - alert.DetectedAt >= TimeSpan.FromMinutes(options.EscalateMinutes))
            {
                var escalated = alert with { Escalated = true, LastNotifiedAt = now };
                store.SaveAlert(escalated);
                queued |= events.Record(rule, escalated, AlertEventTypes.Escalated, now, null);
            }
            else if (options.RenotifyMinutes > 0 && alert.Renotified < options.MaxRenotifications
                && now - (alert.LastNotifiedAt ?? alert.DetectedAt) >= TimeSpan.FromMinutes(options.RenotifyMinutes))
            {
                var again = alert with { Renotified = alert.Renotified + 1, LastNotifiedAt = now };
                store.SaveAlert(again);
                queued |= events.Record(rule, again, AlertEventTypes.Renotified, now, null);
            }
        }

        return queued;
    }

    /// <summary>An operator acknowledges an open alert; null when it is not open (a late alert is history, never paged: nothing to acknowledge).</summary>
    public Alert? Acknowledge(string id, string by, string? note, DateTimeOffset now)
    {
        var alert = store.GetAlert(id);
        if (alert is null || alert.State != AlertStates.Open || alert.Late)
        {
            return null;
        }

        var acked = alert with { State = AlertStates.Acknowledged, AcknowledgedAt = now, AcknowledgedBy = by };
        store.SaveAlert(acked);
        events.Record(rules.Of(acked), acked, AlertEventTypes.Acknowledged, now, by, detail: note);
        return acked;
    }

    /// <summary>An operator resolves an alert (its condition may still hold: it reopens as a new alert on the next live exceedance).</summary>
    public Alert? Resolve(string id, string by, string? note, DateTimeOffset now)
    {
        var alert = store.GetAlert(id);
        if (alert is null || alert.State == AlertStates.Resolved)
        {
            return null;
        }

        var resolved = alert with { State = AlertStates.Resolved, ResolvedAt = now, ResolvedBy = by };
        store.SaveAlert(resolved);
        events.Record(rules.Of(resolved), resolved, AlertEventTypes.Resolved, now, by, detail: note);
        return resolved;
    }

    private static string SubjectOf(AlertRule rule, string site, string device) => rule.Per == "site" ? site : device;

    private static double? Worse(AlertRule rule, double? a, double? b)
    {
        if (a is not { } x)
        {
            return b;
        }

        if (b is not { } y)
        {
            return a;
        }

        var low = rule.Kind == RuleKind.Battery || (rule.Kind == RuleKind.Threshold && rule.Above is null);
        return low ? Math.Min(x, y) : Math.Max(x, y);
    }
}
