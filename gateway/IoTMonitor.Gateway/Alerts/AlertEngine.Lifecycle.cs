// The alert lifecycle: one alert per rule and subject through open -> acknowledged -> resolved;
// raising (with flapping reopenings and late alerts), holding, clearing, re-notification,
// escalation and the operators' acknowledge / resolve (docs/alerts.md, Lifecycle).

using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    private string SubjectOf(AlertRule rule, string site, string device) => rule.Per == "site" ? site : device;

    private bool Raise(AlertRule rule, string site, string device, RuleState state, Evaluation eval, bool late, DateTimeOffset now)
    {
        var subject = SubjectOf(rule, site, device);
        var since = DateTimeOffset.FromUnixTimeSeconds(state.Since ?? now.ToUnixTimeSeconds());
        var active = _store.FindActive(rule.Id, subject);
        if (active is not null)
        {
            // per-site rule already open through another device
            return Hold(rule, site, device, state, eval, late, now);
        }

        var recent = _options.FlapWindowSeconds > 0 ? _store.FindResolvedSince(rule.Id, subject, now.AddSeconds(-_options.FlapWindowSeconds)) : null;
        if (recent is not null && !recent.Late && recent.ResolvedBy is null)
        {
            // flapping: reopen the same alert, cancel its pending resolved notice, page nobody again
            var flaps = recent.Flaps + 1;
            var reopened = recent with
            {
                State = recent.AcknowledgedAt is null ? AlertStates.Open : AlertStates.Acknowledged,
                ResolvedAt = null,
                Flaps = flaps,
                Flapping = recent.Flapping || flaps >= _options.FlapThreshold,
                Value = eval.Value,
                Worst = Worse(rule, recent.Worst, eval.Value),
                Trend = eval.Trend,
            };
            _store.SaveAlert(reopened);
            _store.CancelPending(recent.Id, AlertEventTypes.Resolved);
            var queued = Record(rule, reopened, AlertEventTypes.Reopened, now, null);
            if (!recent.Flapping && reopened.Flapping)
            {
                queued |= Record(rule, reopened, AlertEventTypes.Flapping, now, null);
            }

            return queued;
        }

        var alert = new Alert
        {
            Id = NewId(),
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
        _store.SaveAlert(alert);
        return Record(rule, alert, late ? AlertEventTypes.Late : AlertEventTypes.Opened, now, null);
    }

    private bool Hold(AlertRule rule, string site, string device, RuleState state, Evaluation eval, bool late, DateTimeOffset now)
    {
        var alert = _store.FindActive(rule.Id, SubjectOf(rule, site, device));
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
            _store.SaveAlert(updated);
            return Record(rule, updated, AlertEventTypes.Opened, now, null);
        }

        _store.SaveAlert(updated);
        return false;
    }

    private bool Clear(AlertRule rule, string site, string device, Evaluation eval, bool late, DateTimeOffset now)
    {
        var subject = SubjectOf(rule, site, device);
        if (rule.Per == "site" && _states.Any(s => s.Key.Rule == rule.Id && s.Key.Device != device && s.Value.Site == site && s.Value.State.Active))
        {
            return false;
        }

        var alert = _store.FindActive(rule.Id, subject);
        if (alert is null)
        {
            return false;
        }

        var resolved = alert with { State = AlertStates.Resolved, ResolvedAt = now, Value = eval.Value, Trend = eval.Trend };
        _store.SaveAlert(resolved);
        return Record(rule, resolved, AlertEventTypes.Resolved, now, null, alert.Late ? now : now.AddSeconds(_options.FlapWindowSeconds));
    }

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

    private bool RenotifyAndEscalate(DateTimeOffset now)
    {
        var queued = false;
        foreach (var alert in _store.ListActive())
        {
            if (alert.State != AlertStates.Open || alert.Late || alert.Flapping)
            {
                continue;
            }

            var rule = _rules.FirstOrDefault(r => r.Id == alert.RuleId);
            if (rule is null)
            {
                continue;
            }

            if (_options.EscalateMinutes > 0 && !alert.Escalated && now - alert.DetectedAt >= TimeSpan.FromMinutes(_options.EscalateMinutes))
            {
                var escalated = alert with { Escalated = true, LastNotifiedAt = now };
                _store.SaveAlert(escalated);
                queued |= Record(rule, escalated, AlertEventTypes.Escalated, now, null);
            }
            else if (_options.RenotifyMinutes > 0 && alert.Renotified < _options.MaxRenotifications
                && now - (alert.LastNotifiedAt ?? alert.DetectedAt) >= TimeSpan.FromMinutes(_options.RenotifyMinutes))
            {
                var again = alert with { Renotified = alert.Renotified + 1, LastNotifiedAt = now };
                _store.SaveAlert(again);
                queued |= Record(rule, again, AlertEventTypes.Renotified, now, null);
            }
        }

        return queued;
    }

    /// <summary>Acknowledges an open alert; false when it is not open.</summary>
    public Alert? Acknowledge(string id, string by, string? note)
    {
        var now = _time.GetUtcNow();
        Alert? result;
        lock (_gate)
        {
            result = _store.InTransaction(() =>
            {
                var alert = _store.GetAlert(id);

                // a late alert is history (backlog data), never paged: nothing to acknowledge
                if (alert is null || alert.State != AlertStates.Open || alert.Late)
                {
                    return null;
                }

                var acked = alert with { State = AlertStates.Acknowledged, AcknowledgedAt = now, AcknowledgedBy = by };
                _store.SaveAlert(acked);
                Record(RuleOf(acked), acked, AlertEventTypes.Acknowledged, now, by, detail: note);
                return acked;
            });
        }

        NotificationsQueued?.Invoke(this, EventArgs.Empty);
        return result;
    }

    /// <summary>Resolves an alert by hand (its condition may still hold: it reopens as a new alert on the next live exceedance).</summary>
    public Alert? Resolve(string id, string by, string? note)
    {
        var now = _time.GetUtcNow();
        Alert? result;
        lock (_gate)
        {
            result = _store.InTransaction(() =>
            {
                var alert = _store.GetAlert(id);
                if (alert is null || alert.State == AlertStates.Resolved)
                {
                    return null;
                }

                var resolved = alert with { State = AlertStates.Resolved, ResolvedAt = now, ResolvedBy = by };
                _store.SaveAlert(resolved);
                Record(RuleOf(resolved), resolved, AlertEventTypes.Resolved, now, by, detail: note);
                return resolved;
            });
        }

        NotificationsQueued?.Invoke(this, EventArgs.Empty);
        return result;
    }

    private AlertRule RuleOf(Alert alert) =>
        _rules.FirstOrDefault(r => r.Id == alert.RuleId)
        ?? _store.LoadRules().Select(r => r.Rule).FirstOrDefault(r => r.Id == alert.RuleId)
        ?? new AlertRule { Id = alert.RuleId, Name = alert.RuleName, Source = "rule deleted" };

}
