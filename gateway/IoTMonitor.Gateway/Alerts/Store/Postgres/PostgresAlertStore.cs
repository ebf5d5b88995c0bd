using IoTMonitor.Gateway.Alerts.FlashFlood;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Alerts.Ownership;
using IoTMonitor.Gateway.State.Leases;
using IoTMonitor.Gateway.State;

namespace IoTMonitor.Gateway.Alerts.Store.Postgres;

/// <summary>
/// The alert store in the PostgreSQL database shared by gateway replicas (schema:
/// <c>State/AlertMigrations.cs</c>). The same tables as the SQLite file, each group in its own class
/// beside this one; what differs is ownership: this replica evaluates the sites of the partitions
/// it holds a lease on (<see cref="SharedEvaluator"/>, <see cref="PartitionLeases"/>), every
/// evaluation commit is fenced by those leases, its dispatcher sends the notices of those sites
/// only, and its counters are its own (keyed by <see cref="Replica"/>).
/// </summary>
public sealed class PostgresAlertStore : AlertStore
{
    private readonly PostgresAlertDatabase _db;
    private readonly SharedEvaluator _ownership;
    private readonly PostgresCounterTable _counters;
    private readonly PostgresRuleTable _rules;
    private readonly PostgresStateTables _states;
    private readonly PostgresAlertTables _alerts;
    private readonly PostgresOutboxTables _outbox;
    private readonly PostgresRainTable _rain;

    /// <param name="replica">This gateway's name in the lease rows and counters; unique among the replicas.</param>
    /// <param name="leaseTtl">How long a partition lease lasts without renewal.</param>
    /// <param name="balance">Whether a replica above its fair share hands its surplus partitions over (<see cref="LeaseOptions.Balance"/>).</param>
    public PostgresAlertStore(PostgresState state, string replica, TimeSpan leaseTtl, bool balance = true)
    {
        Replica = replica;
        Leases = new PartitionLeases(state.DataSource, replica, leaseTtl, balance);
        _db = new PostgresAlertDatabase(state.DataSource, Leases);
        _ownership = new SharedEvaluator(_db, Leases);
        _rules = new PostgresRuleTable(_db);
        _states = new PostgresStateTables(_db);
        _alerts = new PostgresAlertTables(_db);
        _outbox = new PostgresOutboxTables(_db);
        _counters = new PostgresCounterTable(_db, replica);
        _rain = new PostgresRainTable(_db);
    }

    public string Replica { get; }

    /// <summary>This replica's partition leases (renewed by the engine's lease loop).</summary>
    public PartitionLeases Leases { get; }

    /// <summary>Batches and statuses handed to the replica that owns their site (tests and /metrics).</summary>
    public long HandedOff => _ownership.HandedOff;

    /// <summary>Partitions above this replica's fair share handed to another replica (tests and /metrics).</summary>
    public long PartitionsHandedOver => _ownership.PartitionsHandedOver;

    public override long Commits => _db.Commits;

    public override long StateWrites => _states.StateWrites;

    public override long StateBytesWritten => _states.StateBytesWritten;

    public override long ScheduleWrites => _states.ScheduleWrites;

    internal override EvaluatorOwnership Ownership => _ownership;

    public override bool IsUnreachable(Exception e) => PostgresOutage.Is(e);

    internal SharedEvaluator Shared => _ownership;

    public override T InTransaction<T>(Func<T> work) => _db.InTransaction(work, fenced: true);

    public override T InOperatorTransaction<T>(Func<T> work) => _db.InTransaction(work, fenced: false);

    public override void AddCounter(string name, long delta) => _counters.Add(name, delta);

    public override void SetCounter(string name, long value) => _counters.Set(name, value);

    public override long Counter(string name) => _counters.Get(name);

    public override void SeedRule(AlertRule rule, DateTimeOffset now) => _rules.Seed(rule, now);

    public override void PutRule(AlertRule rule, DateTimeOffset now) => _rules.Put(rule, now);

    public override bool DeleteRule(string id, DateTimeOffset now) => _rules.Delete(id, now);

    public override List<(AlertRule Rule, string Origin)> LoadRules() => _rules.Load();

    public override long RulesVersion() => _rules.Version();

    public override Dictionary<(string Rule, string Device), (string Site, RuleState State)> LoadStates() => _states.LoadStates();

    public override (string Site, RuleState State)? LoadState(string ruleId, string device) => _states.LoadState(ruleId, device);

    public override void SaveState(string ruleId, string device, string site, RuleState state) => _states.SaveState(ruleId, device, site, state);

    public override Dictionary<string, NodeSchedule> LoadSchedules() => _states.LoadSchedules();

    public override NodeSchedule? LoadSchedule(string device) => _states.LoadSchedule(device);

    public override void SaveSchedule(NodeSchedule schedule) => _states.SaveSchedule(schedule);

    internal override Dictionary<string, EvaluatedSequences> LoadEvaluatedSequences() => _states.LoadEvaluatedSequences();

    internal override void SaveEvaluatedSequences(string site, string device, EvaluatedSequences seen) => _states.SaveEvaluatedSequences(site, device, seen);

    public override void SaveAlert(Alert alert) => _alerts.Save(alert);

    public override Alert? GetAlert(string id) => _alerts.Get(id);

    public override Alert? FindActive(string ruleId, string subject) => _alerts.FindActive(ruleId, subject);

    public override Alert? FindResolvedSince(string ruleId, string subject, DateTimeOffset since) => _alerts.FindResolvedSince(ruleId, subject, since);

    public override List<Alert> ListActive() => _alerts.ListActive();

    public override List<Alert> ListAlerts(AlertQuery q) => _alerts.List(q);

    public override void AddEvent(AlertEvent e) => _alerts.AddEvent(e);

    public override List<AlertEvent> Events(string alertId) => _alerts.Events(alertId);

    public override bool Enqueue(string key, string alertId, string eventId, string eventType, string channel, string recipient, string payload, DateTimeOffset due, DateTimeOffset now) =>
        _outbox.Enqueue(key, alertId, eventId, eventType, channel, recipient, payload, due, now);

    public override int CancelPending(string alertId, string eventType) => _outbox.CancelPending(alertId, eventType);

    public override List<OutboxEntry> Due(DateTimeOffset now, int limit) => _outbox.Due(now, limit, [.. Leases.HeldTokens.Keys]);

    public override DateTimeOffset? NextDue() => _outbox.NextDue([.. Leases.HeldTokens.Keys]);

    public override List<OutboxEntry> Outbox(string? alertId = null, string? status = null, int limit = 500) => _outbox.List(alertId, status, limit);

    public override long? Claim(long id, TimeSpan hold) => _outbox.Claim(id, Replica, hold);

    public override void ReleaseClaim(long id, long claim) => _outbox.ReleaseClaim(id, claim);

    public override void RecordAttempt(long id, long claim, DateTimeOffset at, bool ok, string detail, string? receipt, DateTimeOffset? retryAt) =>
        _outbox.RecordAttempt(id, claim, at, ok, detail, receipt, retryAt);

    public override void Defer(long id, long claim, DateTimeOffset at, string detail, DateTimeOffset retryAt) => _outbox.Defer(id, claim, at, detail, retryAt);

    public override List<DeliveryAttempt> Attempts(long outboxId) => _outbox.Attempts(outboxId);

    internal override List<RainReading> LoadRain(long since) => _rain.Load(since);

    internal override void SaveRain(in RainReading reading) => _rain.Save(reading);

    internal override void PruneRain(long before) => _rain.Prune(before);

    /// <summary>The data source is the gateway's (<see cref="PostgresState"/>): nothing of its own to close.</summary>
    public override void Dispose()
    {
    }
}
