using IoTMonitor.Gateway.Alerts.FlashFlood;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Alerts.Ownership;

namespace IoTMonitor.Gateway.Alerts.Store;

/// <summary>
/// The alert stage's own SQLite file (not the registry's), as the stage uses it. Each table group is
/// its own class in <c>Alerts/Store/</c> with its schema and statements: the file and its
/// transactions (<see cref="AlertDatabase"/>), rules (<see cref="RuleTable"/>), the engine's state
/// between readings (<see cref="StateTables"/>: rule states, node schedules, evaluated sequences),
/// alerts and their events (<see cref="AlertTables"/>), the outbox and its delivery attempts
/// (<see cref="OutboxTables"/>), the rain ledger (<see cref="RainTable"/>) and the counters that
/// outlive the process (<see cref="CounterTable"/>). This class only opens them on one connection
/// and names what the engine, the dispatcher and the API may do; <see cref="InTransaction{T}"/>
/// groups changes so an alert and its notifications are committed together.
/// </summary>
public sealed class SqliteAlertStore : AlertStore
{
    private readonly AlertDatabase _db;
    private readonly CounterTable _counters;
    private readonly RuleTable _rules;
    private readonly StateTables _states;
    private readonly AlertTables _alerts;
    private readonly OutboxTables _outbox;
    private readonly RainTable _rain;

    public SqliteAlertStore(string path)
    {
        _db = new AlertDatabase(path);
        _rules = new RuleTable(_db);
        _states = new StateTables(_db);
        _alerts = new AlertTables(_db);
        _outbox = new OutboxTables(_db);
        _counters = new CounterTable(_db);
        _rain = new RainTable(_db);
    }

    /// <summary>Transactions committed (each one an fsync: WAL with synchronous = FULL); tests and /metrics.</summary>
    public override long Commits => _db.Commits;

    /// <summary>Rule states written (<see cref="SaveState"/>); tests and /metrics.</summary>
    public override long StateWrites => _states.StateWrites;

    /// <summary>Bytes of rule state handed to SQLite (JSON and sample windows); tests and the engine bench.</summary>
    public override long StateBytesWritten => _states.StateBytesWritten;

    /// <summary>Node schedules written (<see cref="SaveSchedule"/>); tests and /metrics.</summary>
    public override long ScheduleWrites => _states.ScheduleWrites;

    internal override EvaluatorOwnership Ownership => SoleEvaluator.Instance;

    public override T InTransaction<T>(Func<T> work) => _db.InTransaction(work);

    public override T InOperatorTransaction<T>(Func<T> work) => _db.InTransaction(work);

    // ---- counters that outlive the process ------------------------------------------------------

    /// <summary>Adds to a persisted counter (e.g. what a stop had to leave unevaluated: only the next run can report it).</summary>
    public override void AddCounter(string name, long delta) => _counters.Add(name, delta);

    public override void SetCounter(string name, long value) => _counters.Set(name, value);

    public override long Counter(string name) => _counters.Get(name);

    // ---- rules -------------------------------------------------------------------------------

    /// <summary>Seeds or refreshes a rule from the rule pack unless an operator changed or deleted it through the API.</summary>
    public override void SeedRule(AlertRule rule, DateTimeOffset now) => _rules.Seed(rule, now);

    public override void PutRule(AlertRule rule, DateTimeOffset now) => _rules.Put(rule, now);

    /// <summary>Marks a rule deleted (kept as a tombstone so the rule pack does not bring it back).</summary>
    public override bool DeleteRule(string id, DateTimeOffset now) => _rules.Delete(id, now);

    public override List<(AlertRule Rule, string Origin)> LoadRules() => _rules.Load();

    public override long RulesVersion() => _rules.Version();

    // ---- evaluation state ---------------------------------------------------------------------

    public override Dictionary<(string Rule, string Device), (string Site, RuleState State)> LoadStates() => _states.LoadStates();

    /// <summary>One rule state as last committed, or null when none was written.</summary>
    public override (string Site, RuleState State)? LoadState(string ruleId, string device) => _states.LoadState(ruleId, device);

    public override void SaveState(string ruleId, string device, string site, RuleState state) => _states.SaveState(ruleId, device, site, state);

    public override Dictionary<string, NodeSchedule> LoadSchedules() => _states.LoadSchedules();

    /// <summary>One node schedule as last committed, or null when none was written.</summary>
    public override NodeSchedule? LoadSchedule(string device) => _states.LoadSchedule(device);

    public override void SaveSchedule(NodeSchedule schedule) => _states.SaveSchedule(schedule);

    /// <summary>The engine's record of evaluated readings per device, kept across restarts so a batch resent after a restart is still recognised (docs/alerts.md, Redelivered readings).</summary>
    internal override Dictionary<string, EvaluatedSequences> LoadEvaluatedSequences() => _states.LoadEvaluatedSequences();

    internal override void SaveEvaluatedSequences(string site, string device, EvaluatedSequences seen) => _states.SaveEvaluatedSequences(device, seen);

    // ---- alerts -------------------------------------------------------------------------------

    public override void SaveAlert(Alert alert) => _alerts.Save(alert);

    public override Alert? GetAlert(string id) => _alerts.Get(id);

    /// <summary>The alert of this rule and subject that is not resolved, if any.</summary>
    public override Alert? FindActive(string ruleId, string subject) => _alerts.FindActive(ruleId, subject);

    /// <summary>The latest alert of this rule and subject resolved at or after <paramref name="since"/>.</summary>
    public override Alert? FindResolvedSince(string ruleId, string subject, DateTimeOffset since) => _alerts.FindResolvedSince(ruleId, subject, since);

    public override List<Alert> ListActive() => _alerts.ListActive();

    public override List<Alert> ListAlerts(AlertQuery q) => _alerts.List(q);

    public override void AddEvent(AlertEvent e) => _alerts.AddEvent(e);

    public override List<AlertEvent> Events(string alertId) => _alerts.Events(alertId);

    // ---- outbox -------------------------------------------------------------------------------

    /// <summary>Adds a notification; a second one with the same key (alert, event, channel, recipient) is ignored.</summary>
    public override bool Enqueue(string key, string alertId, string eventId, string eventType, string channel, string recipient, string payload, DateTimeOffset due, DateTimeOffset now) =>
        _outbox.Enqueue(key, alertId, eventId, eventType, channel, recipient, payload, due, now);

    /// <summary>Cancels notifications of one event type of an alert that were not sent yet (a reopened alert's pending resolved notice).</summary>
    public override int CancelPending(string alertId, string eventType) => _outbox.CancelPending(alertId, eventType);

    public override List<OutboxEntry> Due(DateTimeOffset now, int limit) => _outbox.Due(now, limit);

    public override DateTimeOffset? NextDue() => _outbox.NextDue();

    public override List<OutboxEntry> Outbox(string? alertId = null, string? status = null, int limit = 500) => _outbox.List(alertId, status, limit);

    /// <summary>
    /// Records one delivery attempt and, in the same transaction, the entry's new state: sent (with
    /// the receiver's receipt), retried at <paramref name="retryAt"/>, or failed for good.
    /// </summary>
    /// <summary>One dispatcher sends this file's outbox: nothing to claim against.</summary>
    public override long? Claim(long id, TimeSpan hold) => 0;

    public override void ReleaseClaim(long id, long claim)
    {
    }

    public override void RecordAttempt(long id, long claim, DateTimeOffset at, bool ok, string detail, string? receipt, DateTimeOffset? retryAt) =>
        _outbox.RecordAttempt(id, at, ok, detail, receipt, retryAt);

    /// <summary>
    /// Records a deferred attempt (the receiver's rate limit): the entry stays pending, due at
    /// <paramref name="retryAt"/>, and its attempt count is unchanged, so deferrals never make it fail.
    /// </summary>
    public override void Defer(long id, long claim, DateTimeOffset at, string detail, DateTimeOffset retryAt) => _outbox.Defer(id, at, detail, retryAt);

    public override List<DeliveryAttempt> Attempts(long outboxId) => _outbox.Attempts(outboxId);

    // ---- rain ledger --------------------------------------------------------------------------

    internal override List<RainReading> LoadRain(long since) => _rain.Load(since);

    internal override void SaveRain(in RainReading reading) => _rain.Save(reading);

    /// <summary>Deletes readings sampled before <paramref name="before"/> except each boot's newest one (the next increment's base).</summary>
    internal override void PruneRain(long before) => _rain.Prune(before);

    public override void Dispose()
    {
        _states.Dispose();
        _rain.Dispose();
        _db.Dispose();
    }
}
