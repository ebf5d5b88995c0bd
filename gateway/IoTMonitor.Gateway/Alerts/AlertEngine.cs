using System.Text.Json;
using System.Threading.Channels;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Ingest;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>
/// Evaluates rules on the validated stream (after the WAL), keeps one alert per rule and subject
/// through open → acknowledged → resolved, and writes every notification to the outbox in the
/// same transaction as the state change that caused it.
/// <code>
///  ReadingsDurable (ingest) ─┐
///  node status (MQTT)  ──────┼─> queue ─> evaluate (RuleEvaluator / SilenceEvaluator) ─> alerts + events + outbox (SQLite)
///  tick (silence, re-notify, escalate) ─┘                                                      └─> OutboxDispatcher
/// </code>
/// A reading sampled more than <see cref="AlertsOptions.LiveWindowSeconds"/> before gateway time is
/// history: an alert it raises is recorded and reported as late and pages nobody.
/// </summary>
public sealed class AlertEngine : IAsyncDisposable
{
    private readonly AlertsOptions _options;
    private readonly AlertStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly Channel<Func<Task>> _queue = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<(string Rule, string Device), (string Site, RuleState State)> _states;
    private readonly Dictionary<string, NodeSchedule> _schedules;
    private List<AlertRule> _rules = [];
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private Task? _ticker;

    public AlertEngine(AlertsOptions options, AlertStore store, TimeProvider time, ILogger log)
    {
        _options = options;
        _store = store;
        _time = time;
        _log = log;
        _states = store.LoadStates();
        _schedules = store.LoadSchedules();
        ReloadRules();
    }

    /// <summary>Raised after notifications were queued (the dispatcher wakes on it).</summary>
    public event EventHandler? NotificationsQueued;

    public AlertStore Store => _store;

    public IReadOnlyList<AlertRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return _rules;
            }
        }
    }

    /// <summary>Batches evaluated so far (tests and /metrics).</summary>
    public long BatchesEvaluated => Interlocked.Read(ref _batches);

    private long _batches;

    public void ReloadRules()
    {
        var rules = _store.LoadRules().Select(r => r.Rule).Where(r => r.Enabled).ToList();
        lock (_gate)
        {
            _rules = rules;
        }
    }

    public void Start()
    {
        _stop = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stop.Token));
        _ticker = Task.Run(() => TickLoopAsync(_stop.Token));
    }

    // ---- inputs -------------------------------------------------------------------------------

    /// <summary>The ingest hook: queues the batch; never blocks the PUBACK path.</summary>
    public void OnReadingsDurable(object? sender, ReadingsDurableEventArgs e) =>
        _queue.Writer.TryWrite(() =>
        {
            EvaluateBatch(e.Site, e.Device, e.Readings.Select(r => (r.T, r.Quantity.Code, r.Value, r.Flags)).ToArray(), e.Battery, e.HealthTime);
            return Task.CompletedTask;
        });

    /// <summary>A node's retained status (docs/protocol.md §5) was received.</summary>
    public void OnStatus(string site, string device, ReadOnlyMemory<byte> payload) =>
        _queue.Writer.TryWrite(() =>
        {
            ApplyStatus(site, device, payload);
            return Task.CompletedTask;
        });

    /// <summary>Waits until everything queued so far has been evaluated.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite(() =>
        {
            done.SetResult();
            return Task.CompletedTask;
        });
        return done.Task;
    }

    private async Task RunAsync(CancellationToken token)
    {
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                try
                {
                    await work().ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log.LogError(e, "Alert evaluation failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TickLoopAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.TickSeconds), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                _queue.Writer.TryWrite(() =>
                {
                    Tick();
                    return Task.CompletedTask;
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---- evaluation ---------------------------------------------------------------------------

    /// <summary>Evaluates one durable batch (public for tests; the hook queues it instead).</summary>
    public void EvaluateBatch(string site, string device, (long T, string Quantity, double? Value, long Flags)[] readings, double battery, long healthTime)
    {
        var now = _time.GetUtcNow();
        var nowS = now.ToUnixTimeSeconds();
        var info = SiteOf(site);
        var queued = false;
        lock (_gate)
        {
            _store.InTransaction(() =>
            {
                Seen(site, device, nowS, status: null);
                foreach (var rule in _rules)
                {
                    if (!rule.MatchesScope(site, device, info))
                    {
                        continue;
                    }

                    if (rule.Kind == RuleKind.Battery)
                    {
                        if (battery > 0)
                        {
                            queued |= Apply(rule, site, device, healthTime, battery, 0, now);
                        }

                        continue;
                    }

                    if (rule.Kind == RuleKind.Silence)
                    {
                        continue;
                    }

                    foreach (var r in readings.Where(r => rule.MatchesQuantity(r.Quantity)).OrderBy(r => r.T))
                    {
                        queued |= Apply(rule, site, device, r.T, r.Value, r.Flags, now);
                    }
                }

                return 0;
            });
        }

        Interlocked.Increment(ref _batches);
        if (queued)
        {
            NotificationsQueued?.Invoke(this, EventArgs.Empty);
        }
    }

    private bool Apply(AlertRule rule, string site, string device, long t, double? value, long flags, DateTimeOffset now)
    {
        var key = (rule.Id, device);
        if (!_states.TryGetValue(key, out var entry))
        {
            entry = (site, new RuleState());
            _states[key] = entry;
        }

        var eval = RuleEvaluator.Evaluate(rule, entry.State, t, value, flags);
        _store.SaveState(rule.Id, device, site, entry.State);
        var late = now.ToUnixTimeSeconds() - t > _options.LiveWindowSeconds;
        return eval.Transition switch
        {
            Transition.Raise => Raise(rule, site, device, entry.State, eval, late, now),
            Transition.Hold => Hold(rule, site, device, entry.State, eval, late, now),
            Transition.Clear => Clear(rule, site, device, eval, late, now),
            _ => false,
        };
    }

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

    // ---- schedules and silence ----------------------------------------------------------------

    internal void ApplyStatus(string site, string device, ReadOnlyMemory<byte> payload)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (payload.IsEmpty)
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            lock (_gate)
            {
                Seen(site, device, now, doc.RootElement);
            }
        }
        catch (JsonException)
        {
            _log.LogDebug("Ignoring a status of {Site}/{Device} that is not JSON", site, device);
        }
    }

    private void Seen(string site, string device, long now, JsonElement? status)
    {
        if (!_schedules.TryGetValue(device, out var s))
        {
            s = new NodeSchedule { Site = site, Device = device };
            _schedules[device] = s;
        }

        s.Site = site;
        var stateName = status is { } st && st.TryGetProperty("state", out var sv) && sv.ValueKind == JsonValueKind.String ? sv.GetString() ?? string.Empty : string.Empty;
        if (status is null || stateName == "online")
        {
            s.LastSeen = now;
            if (s.NextReport is { } next && next <= now + 60)
            {
                s.NextReport = null;
            }
        }

        if (status is { } el)
        {
            s.State = stateName;
            if (el.TryGetProperty("wake", out var w) && w.TryGetInt32(out var wake) && wake > 0)
            {
                s.WakeSeconds = wake;
            }

            if (stateName == "sleeping")
            {
                s.LastSeen = now;
                if (el.TryGetProperty("next", out var n) && n.TryGetInt64(out var next))
                {
                    // the node's clock announces the report; relative to its clk, so a drifting RTC does not count as missing
                    var clk = el.TryGetProperty("clk", out var c) && c.TryGetInt64(out var ck) && ck >= 1_600_000_000 ? ck : now;
                    s.NextReport = now + Math.Max(0, next - clk);
                }
            }
        }

        _store.SaveSchedule(s);
    }

    /// <summary>Checks silence, re-notification and escalation against the gateway clock.</summary>
    public void Tick()
    {
        var now = _time.GetUtcNow();
        var nowS = now.ToUnixTimeSeconds();
        var queued = false;
        lock (_gate)
        {
            _store.InTransaction(() =>
            {
                foreach (var rule in _rules.Where(r => r.Kind == RuleKind.Silence))
                {
                    foreach (var s in _schedules.Values)
                    {
                        if (!rule.MatchesScope(s.Site, s.Device, SiteOf(s.Site)))
                        {
                            continue;
                        }

                        var key = (rule.Id, s.Device);
                        if (!_states.TryGetValue(key, out var entry))
                        {
                            entry = (s.Site, new RuleState());
                            _states[key] = entry;
                        }

                        var missed = SilenceEvaluator.Missed(s, nowS, rule.GraceSeconds, rule.WindowSeconds);
                        var state = entry.State;
                        var trend = $"{missed} announced reports missed, last heard {DateTimeOffset.FromUnixTimeSeconds(s.LastSeen):yyyy-MM-dd HH:mm} UTC";
                        if (!state.Active && missed >= rule.MissedReports)
                        {
                            state.Active = true;
                            state.Since = s.LastSeen;
                            _store.SaveState(rule.Id, s.Device, s.Site, state);
                            queued |= Raise(rule, s.Site, s.Device, state, new Evaluation(Transition.Raise, missed, trend), false, now);
                        }
                        else if (state.Active && missed == 0)
                        {
                            state.Active = false;
                            state.Since = null;
                            _store.SaveState(rule.Id, s.Device, s.Site, state);
                            queued |= Clear(rule, s.Site, s.Device, new Evaluation(Transition.Clear, 0, "reporting again"), false, now);
                        }
                        else if (state.Active)
                        {
                            queued |= Hold(rule, s.Site, s.Device, state, new Evaluation(Transition.Hold, missed, trend), false, now);
                        }
                    }
                }

                queued |= RenotifyAndEscalate(now);
                return 0;
            });
        }

        if (queued)
        {
            NotificationsQueued?.Invoke(this, EventArgs.Empty);
        }
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

    // ---- operator actions ---------------------------------------------------------------------

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
                if (alert is null || alert.State != AlertStates.Open)
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

    // ---- events and the outbox ----------------------------------------------------------------

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

    private SiteInfo? SiteOf(string site) => _options.Sites.TryGetValue(site, out var info) ? info : null;

    internal static string NewId() => Guid.CreateVersion7().ToString("N");

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_stop is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            foreach (var t in new[] { _loop, _ticker })
            {
                if (t is not null)
                {
                    try
                    {
                        await t.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }

            _stop.Dispose();
        }
    }
}
