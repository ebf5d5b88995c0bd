using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Channels;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>
/// Evaluates rules on the validated stream (after the WAL), keeps one alert per rule and subject
/// through open → acknowledged → resolved, and writes every notification to the outbox in the
/// same transaction as the state change that caused it.
/// <code>
///  ReadingsDurable (ingest) ─┐
///  node status (MQTT)  ──────┼─> queue ─> group ─> evaluate (RuleEvaluator / SilenceEvaluator) ─> alerts + events + outbox (SQLite)
///  tick (silence, re-notify, escalate) ─┘   (one transaction)    changed rule states + schedules, once each ─┘ └─> OutboxDispatcher
/// </code>
/// <para>
/// Group commit: the loop takes what is queued (up to <see cref="MaxGroupItems"/> items or
/// <see cref="GroupBudget"/> of evaluation) and evaluates it in one transaction, so a burst costs one
/// fsync per group instead of one per message. Rule states and node schedules are kept in memory and
/// written at the end of the group, once per key and only if they changed. A crash loses at most the
/// group being evaluated (and what is still queued); the store always holds the state after a whole
/// group, so a restart loads a consistent state.
/// </para>
/// A reading sampled more than <see cref="AlertsOptions.LiveWindowSeconds"/> before gateway time is
/// history: an alert it raises is recorded and reported as late and pages nobody.
/// <para>
/// Where a site is (name, type, basin, coordinates: scope and message text) comes from the registry's
/// site profile, read once per site and group for the scope and when a notice is written, so a
/// <c>PUT /api/v1/sites/{site}</c> applies from the next group on; <see cref="AlertsOptions.Sites"/>
/// only overrides fields of it.
/// </para>
/// </summary>
public sealed class AlertEngine : IAsyncDisposable
{
    /// <summary>Most queued items evaluated in one transaction.</summary>
    internal const int MaxGroupItems = 512;

    private readonly AlertsOptions _options;
    private readonly AlertStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Func<string, SiteProfile?>? _profiles;
    private readonly object _gate = new();
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<(string Rule, string Device), (string Site, RuleState State)> _states;
    private readonly Dictionary<string, NodeSchedule> _schedules;

    // The group being evaluated (under _gate). What it touched is written at its end if changed, or
    // reloaded from the store if the group rolls back.
    private readonly List<Work> _group = new(MaxGroupItems);
    private readonly HashSet<(string Rule, string Device)> _touchedStates = [];

    // Changed states that decide nothing by themselves, written every LazyWriteInterval (and at stop).
    private static readonly TimeSpan LazyWriteInterval = TimeSpan.FromSeconds(5);
    private readonly HashSet<(string Rule, string Device)> _lazyStates = [];
    private readonly HashSet<string> _lazySchedules = new(StringComparer.Ordinal);
    private DateTimeOffset _lazyWritten;
    private readonly HashSet<string> _touchedSchedules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SiteInfo?> _groupSites = new(StringComparer.Ordinal);
    private readonly List<TaskCompletionSource> _groupFlushes = [];
    private int _groupBatches;
    private bool _groupQueued;

    private List<AlertRule> _rules = [];
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private Task? _ticker;
    private long _batches;
    private long _groups;
    private long _failures;

    /// <param name="profiles">The registry's site profile by id (null = none: only <see cref="AlertsOptions.Sites"/>).</param>
    public AlertEngine(AlertsOptions options, AlertStore store, TimeProvider time, ILogger log, Func<string, SiteProfile?>? profiles = null)
    {
        _options = options;
        _store = store;
        _time = time;
        _log = log;
        _profiles = profiles;
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

    /// <summary>Batches evaluated and committed so far (tests and /metrics).</summary>
    public long BatchesEvaluated => Interlocked.Read(ref _batches);

    /// <summary>Evaluation groups committed so far, one transaction each (tests and /metrics).</summary>
    public long GroupsCommitted => Interlocked.Read(ref _groups);

    /// <summary>Queued items that failed and were dropped after their changes were rolled back (tests and /metrics).</summary>
    public long EvaluationFailures => Interlocked.Read(ref _failures);

    /// <summary>
    /// How long the loop keeps adding queued items to a group: it bounds the delay of a notification
    /// (sent after the commit) and how long operator actions wait for <c>_gate</c>.
    /// </summary>
    internal TimeSpan GroupBudget { get; set; } = TimeSpan.FromMilliseconds(10);

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

    /// <summary>
    /// The ingest hook: queues the batch; never blocks the PUBACK path. Allocates nothing: the
    /// event's readings are already a copy, and the queue holds them in a struct.
    /// </summary>
    public void OnReadingsDurable(object? sender, ReadingsDurableEventArgs e) =>
        _queue.Writer.TryWrite(Work.ForBatch(e.Site, e.Device, e.Readings, e.Battery, e.HealthTime));

    /// <summary>A node's retained status (docs/protocol.md §5) was received.</summary>
    public void OnStatus(string site, string device, ReadOnlyMemory<byte> payload) =>
        _queue.Writer.TryWrite(Work.ForStatus(site, device, payload));

    /// <summary>Waits until everything queued so far has been evaluated and committed.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite(Work.ForFlush(done));
        return done.Task;
    }

    private async Task RunAsync(CancellationToken token)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var queued = false;
                try
                {
                    lock (_gate)
                    {
                        _group.Clear();
                        queued = RunGroup(_queue.Reader);
                    }
                }
                catch (Exception e)
                {
                    // RunGroup handles failed items itself: this is the store failing even to reload what
                    // the group touched. Nothing more can be done here; flushes must not wait forever.
                    _log.LogError(e, "Alert evaluation failed and its state could not be reloaded from the store");
                    foreach (var work in _group)
                    {
                        work.Done?.TrySetResult();
                    }
                }

                if (queued)
                {
                    NotificationsQueued?.Invoke(this, EventArgs.Empty);
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
                _queue.Writer.TryWrite(Work.ForTick());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---- groups -------------------------------------------------------------------------------

    private enum WorkKind
    {
        Batch,
        Status,
        Tick,
        Flush,
    }

    /// <summary>One queued input. A struct, so queuing a batch does not allocate.</summary>
    private readonly record struct Work(WorkKind Kind, string Site, string Device, Reading[]? Readings, double Battery, long HealthTime, ReadOnlyMemory<byte> Payload, TaskCompletionSource? Done)
    {
        public static Work ForBatch(string site, string device, Reading[] readings, double battery, long healthTime) =>
            new(WorkKind.Batch, site, device, readings, battery, healthTime, default, null);

        public static Work ForStatus(string site, string device, ReadOnlyMemory<byte> payload) =>
            new(WorkKind.Status, site, device, null, 0, 0, payload, null);

        public static Work ForTick() => new(WorkKind.Tick, string.Empty, string.Empty, null, 0, 0, default, null);

        public static Work ForFlush(TaskCompletionSource done) => new(WorkKind.Flush, string.Empty, string.Empty, null, 0, 0, default, done);
    }

    /// <summary>Runs one item as a group of its own (the public synchronous entry points).</summary>
    private void RunAlone(Work work)
    {
        bool queued;
        lock (_gate)
        {
            _group.Clear();
            _group.Add(work);
            queued = RunGroup(more: null);
        }

        if (queued)
        {
            NotificationsQueued?.Invoke(this, EventArgs.Empty);
        }
    }

    /// <summary>
    /// Evaluates <see cref="_group"/> and, when <paramref name="more"/> is given, whatever else is
    /// queued (within <see cref="MaxGroupItems"/> and <see cref="GroupBudget"/>) in one transaction,
    /// then writes the rule states and schedules that changed. Caller holds <c>_gate</c>. Returns
    /// whether notifications were queued.
    /// <para>
    /// If an item throws or the commit fails, the whole transaction is rolled back: the other items
    /// may already have written alerts and outbox rows that only make sense with their state, and
    /// SQLite itself may have ended the transaction (disk full, I/O error). What the group touched in
    /// memory is reloaded from the store, and the items run again in order: those before the one
    /// that threw as a group, that one alone (dropped, logged and counted if it throws again), those
    /// after it as a group. A failed commit names no item, so then each item runs alone.
    /// </para>
    /// </summary>
    private bool RunGroup(ChannelReader<Work>? more)
    {
        ResetGroup();
        var started = Stopwatch.GetTimestamp();
        var running = 0;
        try
        {
            _store.InTransaction(() =>
            {
                for (; ; running++)
                {
                    if (running == _group.Count)
                    {
                        if (more is null || running >= MaxGroupItems || Stopwatch.GetElapsedTime(started) >= GroupBudget || !more.TryRead(out var next))
                        {
                            break;
                        }

                        _group.Add(next);
                    }

                    Execute(_group[running]);
                }

                WriteChanges();
                return 0;
            });
        }
        catch (Exception e)
        {
            Revert();
            var items = _group.ToArray();
            if (items.Length == 1)
            {
                Interlocked.Increment(ref _failures);
                _log.LogError(e, "Alert evaluation of a {Kind} ({Site}/{Device}) failed; its changes were rolled back", items[0].Kind, items[0].Site, items[0].Device);
                items[0].Done?.TrySetResult(); // a flush waits for the evaluation, not for its success
                return false;
            }

            _log.LogWarning(e, "An alert evaluation group of {Count} items failed; evaluating it again around the failing item", items.Length);
            var queued = false;
            if (running < items.Length)
            {
                queued |= RunAgain(items.AsSpan(0, running));
                queued |= RunAgain(items.AsSpan(running, 1));
                queued |= RunAgain(items.AsSpan(running + 1));
            }
            else
            {
                for (var i = 0; i < items.Length; i++)
                {
                    queued |= RunAgain(items.AsSpan(i, 1));
                }
            }

            return queued;
        }

        Interlocked.Add(ref _batches, _groupBatches);
        Interlocked.Increment(ref _groups);
        foreach (var done in _groupFlushes)
        {
            done.TrySetResult();
        }

        return _groupQueued;
    }

    private bool RunAgain(ReadOnlySpan<Work> items)
    {
        if (items.IsEmpty)
        {
            return false;
        }

        _group.Clear();
        _group.AddRange(items);
        return RunGroup(more: null);
    }

    private void Execute(in Work work)
    {
        switch (work.Kind)
        {
            case WorkKind.Batch:
                Evaluate(work.Site, work.Device, work.Readings!, work.Battery, work.HealthTime);
                _groupBatches++;
                break;
            case WorkKind.Status:
                Status(work.Site, work.Device, work.Payload);
                break;
            case WorkKind.Tick:
                CheckSchedules();
                break;
            case WorkKind.Flush:
                _groupFlushes.Add(work.Done!);
                break;
        }
    }

    private void ResetGroup()
    {
        _touchedStates.Clear();
        _touchedSchedules.Clear();
        _groupSites.Clear();
        _groupFlushes.Clear();
        _groupBatches = 0;
        _groupQueued = false;
    }

    /// <summary>Writes what the group changed, once per rule state and schedule, in the group's transaction.</summary>
    private void WriteChanges()
    {
        foreach (var key in _touchedStates)
        {
            if (_states.TryGetValue(key, out var entry) && entry.State.Changed)
            {
                if (entry.State.Decisive)
                {
                    _store.SaveState(key.Rule, key.Device, entry.Site, entry.State);
                }
                else
                {
                    _lazyStates.Add(key);
                }
            }
        }

        foreach (var device in _touchedSchedules)
        {
            if (_schedules.TryGetValue(device, out var schedule) && schedule.Changed)
            {
                if (schedule.Decisive)
                {
                    _store.SaveSchedule(schedule);
                }
                else
                {
                    _lazySchedules.Add(device);
                }
            }
        }

        if (_time.GetUtcNow() - _lazyWritten >= LazyWriteInterval)
        {
            WriteLazyChanges();
        }
    }

    /// <summary>Writes the states whose changes decide nothing by themselves (see <see cref="TrackedState.Decisive"/>).</summary>
    private void WriteLazyChanges()
    {
        foreach (var key in _lazyStates)
        {
            if (_states.TryGetValue(key, out var entry) && entry.State.Changed)
            {
                _store.SaveState(key.Rule, key.Device, entry.Site, entry.State);
            }
        }

        foreach (var device in _lazySchedules)
        {
            if (_schedules.TryGetValue(device, out var schedule) && schedule.Changed)
            {
                _store.SaveSchedule(schedule);
            }
        }

        _lazyStates.Clear();
        _lazySchedules.Clear();
        _lazyWritten = _time.GetUtcNow();
    }

    /// <summary>After a rollback: what the group touched goes back to what the store holds (memory ran ahead of it).</summary>
    private void Revert()
    {
        foreach (var key in _touchedStates)
        {
            if (_store.LoadState(key.Rule, key.Device) is { } stored)
            {
                _states[key] = stored;
            }
            else
            {
                _states.Remove(key);
            }
        }

        foreach (var device in _touchedSchedules)
        {
            if (_store.LoadSchedule(device) is { } stored)
            {
                _schedules[device] = stored;
            }
            else
            {
                _schedules.Remove(device);
            }
        }
    }

    /// <summary>
    /// The state of this rule and device, noted as touched before anything changes it. A device that
    /// moved to another site takes its state along (the stored row always followed the latest site).
    /// </summary>
    private RuleState Track(string ruleId, string site, string device)
    {
        var key = (ruleId, device);
        _touchedStates.Add(key);
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_states, key, out var exists);
        if (!exists)
        {
            entry = (site, new RuleState());
        }
        else if (entry.Site != site)
        {
            entry.Site = site;
            entry.State.Changed = entry.State.Decisive = true;
        }

        return entry.State;
    }

    /// <summary>The site's profile, read once per group: a burst from one site costs one registry read.</summary>
    private SiteInfo? SiteInGroup(string site)
    {
        if (!_groupSites.TryGetValue(site, out var info))
        {
            info = SiteOf(site);
            _groupSites[site] = info;
        }

        return info;
    }

    // ---- evaluation ---------------------------------------------------------------------------

    /// <summary>Evaluates one durable batch in its own transaction (public for tests; the hook queues it instead).</summary>
    public void EvaluateBatch(string site, string device, (long T, string Quantity, double? Value, long Flags)[] readings, double battery, long healthTime)
    {
        var batch = new Reading[readings.Length];
        for (var i = 0; i < readings.Length; i++)
        {
            var (t, code, value, flags) = readings[i];
            var quantity = Quantities.Find(code) ?? throw new ArgumentException($"'{code}' is not a protocol quantity", nameof(readings));
            batch[i] = new Reading { T = t, Quantity = quantity, Value = value, Flags = flags, Index = i };
        }

        RunAlone(Work.ForBatch(site, device, batch, battery, healthTime));
    }

    private void Evaluate(string site, string device, Reading[] batch, double battery, long healthTime)
    {
        var now = _time.GetUtcNow();
        var info = SiteInGroup(site);
        Seen(site, device, now.ToUnixTimeSeconds(), status: null);

        // rules see a device's readings in sampling order; nodes send them in that order, so the copy is rare
        var readings = InTimeOrder(batch) ? batch : batch.OrderBy(r => r.T).ToArray();
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
                    _groupQueued |= Apply(rule, site, device, healthTime, battery, 0, now);
                }

                continue;
            }

            if (rule.Kind == RuleKind.Silence)
            {
                continue;
            }

            foreach (ref readonly var r in readings.AsSpan())
            {
                if (rule.MatchesQuantity(r.Quantity.Code))
                {
                    _groupQueued |= Apply(rule, site, device, r.T, r.Value, r.Flags, now);
                }
            }
        }
    }

    private static bool InTimeOrder(Reading[] readings)
    {
        for (var i = 1; i < readings.Length; i++)
        {
            if (readings[i].T < readings[i - 1].T)
            {
                return false;
            }
        }

        return true;
    }

    private bool Apply(AlertRule rule, string site, string device, long t, double? value, long flags, DateTimeOffset now)
    {
        var state = Track(rule.Id, site, device);
        var eval = RuleEvaluator.Evaluate(rule, state, t, value, flags);
        var late = now.ToUnixTimeSeconds() - t > _options.LiveWindowSeconds;
        return eval.Transition switch
        {
            Transition.Raise => Raise(rule, site, device, state, eval, late, now),
            Transition.Hold => Hold(rule, site, device, state, eval, late, now),
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

    /// <summary>Applies a node's status in its own transaction (tests; <see cref="OnStatus"/> queues it instead).</summary>
    internal void ApplyStatus(string site, string device, ReadOnlyMemory<byte> payload) => RunAlone(Work.ForStatus(site, device, payload));

    private void Status(string site, string device, ReadOnlyMemory<byte> payload)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (payload.IsEmpty)
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            Seen(site, device, now, doc.RootElement);
        }
        catch (JsonException)
        {
            _log.LogDebug("Ignoring a status of {Site}/{Device} that is not JSON", site, device);
        }
    }

    private void Seen(string site, string device, long now, JsonElement? status)
    {
        _touchedSchedules.Add(device);
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
    }

    /// <summary>Checks silence, re-notification and escalation against the gateway clock, in its own transaction.</summary>
    public void Tick() => RunAlone(Work.ForTick());

    private void CheckSchedules()
    {
        var now = _time.GetUtcNow();
        var nowS = now.ToUnixTimeSeconds();
        foreach (var rule in _rules)
        {
            if (rule.Kind != RuleKind.Silence)
            {
                continue;
            }

            foreach (var s in _schedules.Values)
            {
                if (!rule.MatchesScope(s.Site, s.Device, SiteInGroup(s.Site)))
                {
                    continue;
                }

                var state = Track(rule.Id, s.Site, s.Device);
                var missed = SilenceEvaluator.Missed(s, nowS, rule.GraceSeconds, rule.WindowSeconds);
                if (!state.Active && missed >= rule.MissedReports)
                {
                    state.Active = true;
                    state.Since = s.LastSeen;
                    _groupQueued |= Raise(rule, s.Site, s.Device, state, new Evaluation(Transition.Raise, missed, Missing(s, missed)), false, now);
                }
                else if (state.Active && missed == 0)
                {
                    state.Active = false;
                    state.Since = null;
                    _groupQueued |= Clear(rule, s.Site, s.Device, new Evaluation(Transition.Clear, 0, "reporting again"), false, now);
                }
                else if (state.Active)
                {
                    _groupQueued |= Hold(rule, s.Site, s.Device, state, new Evaluation(Transition.Hold, missed, Missing(s, missed)), false, now);
                }
            }
        }

        _groupQueued |= RenotifyAndEscalate(now);

        static string Missing(NodeSchedule s, int missed) =>
            $"{missed} announced reports missed, last heard {DateTimeOffset.FromUnixTimeSeconds(s.LastSeen):yyyy-MM-dd HH:mm} UTC";
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

    /// <summary>The site's registry profile with the <see cref="AlertsOptions.Sites"/> overrides applied field by field; null when neither knows the site.</summary>
    internal SiteInfo? SiteOf(string site)
    {
        SiteProfile? profile = null;
        try
        {
            profile = _profiles?.Invoke(site);
        }
        catch (Exception e) when (e is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            // an unreadable registry must not stop the evaluation: unscoped rules still apply
            _log.LogWarning(e, "Could not read the site profile of {Site}; using Alerts:Sites only", site);
        }

        _options.Sites.TryGetValue(site, out var over);
        if (profile is null && over is null)
        {
            return null;
        }

        var coordinates = over is { Latitude: not null, Longitude: not null } ? (over.Latitude, over.Longitude) : (profile?.Lat, profile?.Lon);
        return new SiteInfo
        {
            Name = Pick(over?.Name, profile?.Name),
            Type = Pick(over?.Type, profile?.Type),
            Basin = Pick(over?.Basin, profile?.Basin),
            Latitude = coordinates.Item1,
            Longitude = coordinates.Item2,
        };

        static string Pick(string? overriding, string? registered) => !string.IsNullOrEmpty(overriding) ? overriding : registered ?? string.Empty;
    }

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
            _stop = null;
        }

        WriteLazyOnStop();
    }

    private void WriteLazyOnStop()
    {
        try
        {
            lock (_gate)
            {
                _store.InTransaction(() =>
                {
                    WriteLazyChanges();
                    return 0;
                });
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            _log.LogWarning("Alert states changed in the last seconds were not written at stop: {Error}", e.Message);
        }
    }
}
