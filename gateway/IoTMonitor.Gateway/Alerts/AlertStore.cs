using IoTMonitor.Gateway.Alerts.FlashFlood;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Alerts.Ownership;
using IoTMonitor.Gateway.State.Leases;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>A query over alerts (API and history).</summary>
public sealed record AlertQuery(string? State = null, string? Site = null, string? Device = null, string? RuleId = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 200);

/// <summary>
/// What the alert stage keeps, as the engine, the dispatcher and the API use it: rules, the engine's
/// state between readings, alerts and their events, the outbox and its delivery attempts, the rain
/// ledger and the counters that outlive the process. Two implementations: the gateway's own SQLite
/// file (<see cref="Store.SqliteAlertStore"/>, the default: one gateway evaluates every device) and
/// a PostgreSQL database shared by replicas (<see cref="Store.Postgres.PostgresAlertStore"/>), where
/// each replica evaluates only the sites whose partition it holds a lease on
/// (<see cref="Ownership"/>) and a transaction that wrote a site's state commits only while that
/// lease still holds. <see cref="InTransaction{T}"/> groups changes so an alert and its notifications
/// are committed together.
/// </summary>
public abstract class AlertStore : IDisposable
{
    /// <summary>Transactions committed; tests and /metrics.</summary>
    public abstract long Commits { get; }

    /// <summary>Rule states written (<see cref="SaveState"/>); tests and /metrics.</summary>
    public abstract long StateWrites { get; }

    /// <summary>Bytes of rule state handed to the database (JSON and sample windows); tests and the engine bench.</summary>
    public abstract long StateBytesWritten { get; }

    /// <summary>Node schedules written (<see cref="SaveSchedule"/>); tests and /metrics.</summary>
    public abstract long ScheduleWrites { get; }

    /// <summary>Which sites this gateway evaluates, and the hand-off of readings of the others.</summary>
    internal abstract EvaluatorOwnership Ownership { get; }

    /// <summary>
    /// Whether <paramref name="e"/> says the store is away for now (a shared database restarting or
    /// unreachable) rather than that the work is wrong: the engine then keeps the work for when it is
    /// back instead of dropping it. An embedded file is never "away".
    /// </summary>
    public virtual bool IsUnreachable(Exception e) => false;

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction (joins the current one when nested). With
    /// shared state the commit is fenced: it fails with <see cref="LeaseLostException"/> when a site
    /// whose state, alert or rain reading it wrote is no longer this gateway's.
    /// </summary>
    public abstract T InTransaction<T>(Func<T> work);

    /// <summary>
    /// An operator's action on an alert of any site (acknowledge, resolve): one transaction, not
    /// fenced, since it changes only the alert, its event and its notices, never a rule's state, and
    /// the API of every replica serves it.
    /// </summary>
    public abstract T InOperatorTransaction<T>(Func<T> work);

    // ---- counters that outlive the process (per gateway) ----------------------------------------

    /// <summary>Adds to a persisted counter (e.g. what a stop had to leave unevaluated: only the next run can report it).</summary>
    public abstract void AddCounter(string name, long delta);

    public abstract void SetCounter(string name, long value);

    public abstract long Counter(string name);

    // ---- rules -------------------------------------------------------------------------------

    /// <summary>Seeds or refreshes a rule from the rule pack unless an operator changed or deleted it through the API.</summary>
    public abstract void SeedRule(AlertRule rule, DateTimeOffset now);

    public abstract void PutRule(AlertRule rule, DateTimeOffset now);

    /// <summary>Marks a rule deleted (kept as a tombstone so the rule pack does not bring it back).</summary>
    public abstract bool DeleteRule(string id, DateTimeOffset now);

    public abstract List<(AlertRule Rule, string Origin)> LoadRules();

    /// <summary>Changes whenever a rule is seeded, changed or deleted (by any gateway sharing the store).</summary>
    public abstract long RulesVersion();

    // ---- evaluation state ---------------------------------------------------------------------

    public abstract Dictionary<(string Rule, string Device), (string Site, RuleState State)> LoadStates();

    /// <summary>One rule state as last committed, or null when none was written.</summary>
    public abstract (string Site, RuleState State)? LoadState(string ruleId, string device);

    public abstract void SaveState(string ruleId, string device, string site, RuleState state);

    public abstract Dictionary<string, NodeSchedule> LoadSchedules();

    /// <summary>One node schedule as last committed, or null when none was written.</summary>
    public abstract NodeSchedule? LoadSchedule(string device);

    public abstract void SaveSchedule(NodeSchedule schedule);

    /// <summary>The engine's record of evaluated readings per device, kept across restarts so a batch resent after a restart is still recognised (docs/alerts.md, Redelivered readings).</summary>
    internal abstract Dictionary<string, EvaluatedSequences> LoadEvaluatedSequences();

    internal abstract void SaveEvaluatedSequences(string site, string device, EvaluatedSequences seen);

    // ---- alerts -------------------------------------------------------------------------------

    public abstract void SaveAlert(Alert alert);

    public abstract Alert? GetAlert(string id);

    /// <summary>The alert of this rule and subject that is not resolved, if any.</summary>
    public abstract Alert? FindActive(string ruleId, string subject);

    /// <summary>The latest alert of this rule and subject resolved at or after <paramref name="since"/>.</summary>
    public abstract Alert? FindResolvedSince(string ruleId, string subject, DateTimeOffset since);

    public abstract List<Alert> ListActive();

    public abstract List<Alert> ListAlerts(AlertQuery q);

    public abstract void AddEvent(AlertEvent e);

    public abstract List<AlertEvent> Events(string alertId);

    // ---- outbox -------------------------------------------------------------------------------

    /// <summary>Adds a notification; a second one with the same key (alert, event, channel, recipient) is ignored.</summary>
    public abstract bool Enqueue(string key, string alertId, string eventId, string eventType, string channel, string recipient, string payload, DateTimeOffset due, DateTimeOffset now);

    /// <summary>Cancels notifications of one event type of an alert that were not sent yet (a reopened alert's pending resolved notice).</summary>
    public abstract int CancelPending(string alertId, string eventType);

    /// <summary>Pending notifications due by <paramref name="now"/> that this gateway sends (with shared state: those of the sites it evaluates).</summary>
    public abstract List<OutboxEntry> Due(DateTimeOffset now, int limit);

    public abstract DateTimeOffset? NextDue();

    public abstract List<OutboxEntry> Outbox(string? alertId = null, string? status = null, int limit = 500);

    /// <summary>
    /// Claims a pending entry for one send, for <paramref name="hold"/>: returns the claim's fencing
    /// token, or null when the entry is no longer pending or another dispatcher's claim on it has not
    /// run out (it is being sent elsewhere: do not send it). With shared state the claim is a row
    /// lease in the database, so of two dispatchers polling the same outbox one sends; on SQLite one
    /// dispatcher sends everything and the claim is always granted.
    /// </summary>
    public abstract long? Claim(long id, TimeSpan hold);

    /// <summary>Ends <paramref name="claim"/> without an attempt (a send cut by a stop), if it is still the entry's latest.</summary>
    public abstract void ReleaseClaim(long id, long claim);

    /// <summary>
    /// Records one delivery attempt and, in the same transaction, the entry's new state: sent (with
    /// the receiver's receipt), retried at <paramref name="retryAt"/>, or failed for good. A success
    /// is recorded whatever became of <paramref name="claim"/> (the receiver has the notice); a
    /// failure only while the claim is still the entry's latest, so a sender that lost its claim
    /// cannot reschedule or fail an entry another dispatcher now sends. Either ends the claim.
    /// </summary>
    public abstract void RecordAttempt(long id, long claim, DateTimeOffset at, bool ok, string detail, string? receipt, DateTimeOffset? retryAt);

    /// <summary>
    /// Records a deferred attempt (the receiver's rate limit): the entry stays pending, due at
    /// <paramref name="retryAt"/>, and its attempt count is unchanged, so deferrals never make it fail.
    /// Applies only while <paramref name="claim"/> is the entry's latest; ends the claim.
    /// </summary>
    public abstract void Defer(long id, long claim, DateTimeOffset at, string detail, DateTimeOffset retryAt);

    public abstract List<DeliveryAttempt> Attempts(long outboxId);

    // ---- rain ledger --------------------------------------------------------------------------

    internal abstract List<RainReading> LoadRain(long since);

    internal abstract void SaveRain(in RainReading reading);

    /// <summary>Deletes readings sampled before <paramref name="before"/> except each boot's newest one (the next increment's base).</summary>
    internal abstract void PruneRain(long before);

    public abstract void Dispose();
}
