using System.Diagnostics;
using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Alerts.Engine;
using IoTMonitor.Gateway.Alerts.FlashFlood;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Alerts.Metering;
using IoTMonitor.Gateway.Alerts.Ownership;
using IoTMonitor.Gateway.State.Leases;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>
/// Evaluates rules on the validated stream (after the WAL), keeps one alert per rule and subject
/// through open → acknowledged → resolved, and writes every notification to the outbox in the
/// same transaction as the state change that caused it.
/// <code>
///  ReadingsDurable (ingest) ─┐
///  node status (MQTT)  ──────┼─> WorkQueue ─> GroupCommit ─> ReadingEvaluation / SilenceCheck ─> AlertLifecycle ─> EventRecorder
///  tick (silence, re-notify, escalate) ─┘      (one transaction)     StateWrites: changed rule states + schedules, once each   └─> outbox ─> OutboxDispatcher
/// </code>
/// <para>
/// This class runs the engine (the loop, the tick, the graceful stop) and is its one entry point
/// under one lock; each part in <c>Alerts/Engine/</c> has one reason to change: the queue
/// (<see cref="WorkQueue"/>), the group commit and its failure isolation (<see cref="GroupCommit"/>),
/// when changed state is written (<see cref="StateWrites"/>) over the rule states
/// (<see cref="RuleStates"/>), node schedules (<see cref="NodeSchedules"/>) and redeliveries
/// (<see cref="DuplicateTracker"/>), evaluation of readings (<see cref="ReadingEvaluation"/>),
/// silence and the re-notify/escalate timers (<see cref="SilenceCheck"/>), the alert lifecycle
/// (<see cref="AlertLifecycle"/>), events and the outbox (<see cref="EventRecorder"/>), flash-flood
/// warnings (<see cref="FlashFloodTracking"/>), whether the previous run stopped cleanly
/// (<see cref="RunRecord"/>) and where a site is (<see cref="SiteInfoLookup"/>).
/// </para>
/// <para>
/// Group commit: the loop takes what is queued (up to <see cref="MaxGroupItems"/> items or
/// <see cref="GroupBudget"/> of evaluation) and evaluates it in one transaction, so a burst costs one
/// fsync per group instead of one per message. Rule states and node schedules are kept in memory and
/// written at the end of the group, once per key and only if they changed. A graceful stop evaluates
/// what is queued first (within <see cref="AlertsOptions.StopDrainSeconds"/>); a crash loses the group
/// being evaluated and what is still queued; the store always holds the state after a whole group, so
/// a restart loads a consistent state.
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
    internal const int MaxGroupItems = GroupCommit.MaxGroupItems;

    /// <summary>Name of the persisted counter of batches a stop's drain deadline left unevaluated.</summary>
    internal const string CutAtStopCounter = "stop_drain_cut_batches";

    private readonly AlertsOptions _options;
    private readonly AlertStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly EngineGate _gate = new();
    private readonly SiteInfoLookup _sites;
    private readonly RuleSet _rules;
    private readonly RuleStates _states;
    private readonly DuplicateTracker _duplicates;
    private readonly RunRecord _runs;
    private readonly WorkQueue _queue = new();
    private readonly StateWrites _writes;
    private readonly AlertLifecycle _lifecycle;
    private readonly FlashFloodTracking? _flood;
    private readonly GroupCommit _groups;

    private readonly object _stopGate = new();
    private CancellationTokenSource? _stop;
    private CancellationTokenSource? _tickStop;
    private Task? _loop;
    private Task? _ticker;
    private Task? _leaseLoop;
    private Task? _handOffLoop;
    private long _rulesVersion;
    private Task? _stopped;
    private TaskCompletionSource? _held;
    private long _cutAtStop;
    private long _storeOutages;
    private Stopwatch? _storeAwaySince;

    /// <summary>How long the loop waits before trying a store that was away again.</summary>
    internal static readonly TimeSpan StoreRetry = TimeSpan.FromMilliseconds(500);

    // Stopwatch timestamp after which the loop takes no further group (set by the stop).
    private long _drainUntil = long.MaxValue;

    /// <param name="channels">Who gets which event: each channel's <see cref="IAlertChannel.Recipients"/>, asked when an event is recorded.</param>
    /// <param name="profiles">The registry's site profile by id (null = none: only <see cref="AlertsOptions.Sites"/>).</param>
    public AlertEngine(AlertsOptions options, AlertStore store, IEnumerable<IAlertChannel> channels, TimeProvider time, ILogger log, Func<string, SiteProfile?>? profiles = null)
    {
        _options = options;
        _store = store;
        _time = time;
        _log = log;
        _sites = new SiteInfoLookup(options, log, profiles);
        _rules = new RuleSet(store);
        _states = new RuleStates(store.LoadStates());
        var nodes = new NodeSchedules(store.LoadSchedules());
        _duplicates = new DuplicateTracker(store.LoadEvaluatedSequences());
        _cutAtStop = store.Counter(CutAtStopCounter);
        _runs = new RunRecord(store, time, log);

        // the flash-flood pack seeds its rules before the rules are loaded
        var watch = FlashFloodTracking.Open(options, store, time);
        var events = new EventRecorder(store, channels.ToList(), _sites.Find, watch, log);
        _lifecycle = new AlertLifecycle(options, store, _rules, _states, events);
        _flood = watch is null ? null : new FlashFloodTracking(watch, options, store, _rules, _states, _lifecycle, time, log);
        _writes = new StateWrites(store, _states, nodes, _duplicates, _flood, _runs, _queue, time, log);
        var sites = new GroupSites(_sites);
        _groups = new GroupCommit(
            store,
            _queue,
            _writes,
            sites,
            new ReadingEvaluation(options, _rules, _states, nodes, _duplicates, sites, _lifecycle, _flood, time),
            new SilenceCheck(_rules, _states, nodes, sites, _lifecycle, store.Ownership, time, log),
            new MeteringCheck(_rules, _states, sites, _lifecycle, store.Ownership, time),
            log);
        ReloadRules();
    }

    /// <summary>Raised after notifications were queued (the dispatcher wakes on it).</summary>
    public event EventHandler? NotificationsQueued;

    public AlertStore Store => _store;

    public IReadOnlyList<AlertRule> Rules
    {
        get
        {
            using (_gate.Enter())
            {
                return _rules.Current;
            }
        }
    }

    /// <summary>
    /// How long the loop keeps adding queued items to a group: it bounds the delay of a notification
    /// (sent after the commit) and how long operator actions wait for the engine's lock.
    /// </summary>
    internal TimeSpan GroupBudget
    {
        get => _groups.Budget;
        set => _groups.Budget = value;
    }

    /// <summary>Batches evaluated and committed so far (tests and /metrics).</summary>
    public long BatchesEvaluated => _groups.BatchesEvaluated;

    /// <summary>Evaluation groups committed so far, one transaction each (tests and /metrics).</summary>
    public long GroupsCommitted => _groups.GroupsCommitted;

    /// <summary>Queued items that failed and were dropped after their changes were rolled back (tests and /metrics).</summary>
    public long EvaluationFailures => _groups.EvaluationFailures;

    /// <summary>Readings not evaluated because their (device, boot, n) had been evaluated before (tests and /metrics).</summary>
    public long DuplicateReadingsSkipped => _duplicates.Skipped;

    /// <summary>rain.total readings lower than their predecessor in the same boot (reason rain_decrease; tests and /metrics).</summary>
    public long RainDecreases => _flood?.RainDecreases ?? 0;

    /// <summary>Starts of this store after a run that did not stop cleanly (crash, kill, power loss).</summary>
    public long UncleanStops => _runs.UncleanStops;

    /// <summary>
    /// Queued batches a stop's drain deadline left unevaluated, over every run of this store (the
    /// process that cut them has exited; the next one reports them).
    /// </summary>
    public long BatchesCutAtStop => Interlocked.Read(ref _cutAtStop);

    /// <summary>Items queued and not yet evaluated (held for an unreachable store included): what a crash (SIGKILL, power loss) would lose to alerting.</summary>
    public long QueueLength => _queue.Length + _groups.Held;

    /// <summary>Items kept because the store was away when their group ran; evaluated first when it is back.</summary>
    public long HeldForStore => _groups.Held;

    /// <summary>Whether the last group found the store away (a shared PostgreSQL restarting or unreachable).</summary>
    public bool StoreUnreachable => _storeAwaySince is not null;

    /// <summary>Times the store went away under the engine (each logged once, with its length when it came back).</summary>
    public long StoreOutages => Interlocked.Read(ref _storeOutages);

    /// <summary>The flash-flood watch (null when off or no site is watched); the API reads sums and levels from it.</summary>
    public FlashFloodWatch? FlashFlood => _flood?.Watch;

    internal static string NewId() => Guid.CreateVersion7().ToString("N");

    public void ReloadRules()
    {
        var rules = _rules.Load();
        using (_gate.Enter())
        {
            _rules.Set(rules);
        }
    }

    public void Start()
    {
        _runs.MarkRunning();
        _stop = new CancellationTokenSource();
        _tickStop = new CancellationTokenSource();
        if (_store.Ownership is SharedEvaluator shared)
        {
            // the first round before the first group: a replica alone takes every partition at once
            _rulesVersion = _store.RulesVersion();
            shared.Leases.Renew();
            _leaseLoop = Task.Run(() => LeaseLoopAsync(shared, _tickStop.Token));
            _handOffLoop = Task.Run(() => HandOffLoopAsync(shared, _tickStop.Token));
        }

        _loop = Task.Run(() => RunAsync(_stop.Token));
        _ticker = Task.Run(() => TickLoopAsync(_tickStop.Token));
    }

    /// <summary>
    /// The ingest hook: queues the batch; never blocks the PUBACK path. Allocates nothing: the
    /// event's readings are already a copy, and the queue holds them in a struct. When the listener's
    /// acknowledgement waits for the evaluation (<see cref="ReadingsDurableEventArgs.AcknowledgementWaits"/>:
    /// the cluster consumer), the batch carries a completion set when its group commits (evaluated or
    /// handed to the site's evaluator), and cancelled when a stop leaves it unevaluated.
    /// </summary>
    public void OnReadingsDurable(object? sender, ReadingsDurableEventArgs e)
    {
        var work = Work.ForBatch(e.Site, e.Device, e.Boot, e.Readings, e.Battery, e.HealthTime);
        if (!e.AcknowledgementWaits)
        {
            _queue.Enqueue(work);
            return;
        }

        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Enqueue(work with { Done = committed }))
        {
            // stopping: this engine will not evaluate it; unacknowledged, the broker gives it to another consumer
            committed.SetCanceled();
        }

        e.AcknowledgeAfter(committed.Task);
    }

    /// <summary>A node's retained status (docs/protocol.md §5) was received.</summary>
    public void OnStatus(string site, string device, ReadOnlyMemory<byte> payload) =>
        _queue.Enqueue(Work.ForStatus(site, device, payload));

    /// <summary>The metering watch's report on the channels' allocations and deliveries (queued like a batch).</summary>
    public void OnMetering(MeteringReport report) => _queue.Enqueue(Work.ForMetering(report));

    /// <summary>Evaluates a metering report in its own transaction (tests; <see cref="OnMetering"/> queues it instead).</summary>
    public void EvaluateMetering(MeteringReport report) => RunAlone(Work.ForMetering(report));

    /// <summary>
    /// Waits until everything queued so far has been evaluated and committed; cancelled when a
    /// stop's drain deadline cut it, completed at once when the engine no longer takes input.
    /// </summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Enqueue(Work.ForFlush(done)))
        {
            // stopping or stopped: the stop evaluates (or cuts) what is queued; nothing is left to wait for here
            return _stopped ?? Task.CompletedTask;
        }

        return done.Task;
    }

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

        RunAlone(Work.ForBatch(site, device, -1, batch, battery, healthTime));
    }

    /// <summary>Applies a node's status in its own transaction (tests; <see cref="OnStatus"/> queues it instead).</summary>
    internal void ApplyStatus(string site, string device, ReadOnlyMemory<byte> payload) => RunAlone(Work.ForStatus(site, device, payload));

    /// <summary>Checks silence, re-notification and escalation against the gateway clock, in its own transaction.</summary>
    public void Tick() => RunAlone(Work.ForTick());

    /// <summary>Acknowledges an open alert; null when it is not open.</summary>
    public Alert? Acknowledge(string id, string by, string? note)
    {
        var now = _time.GetUtcNow();
        Alert? result;
        using (_gate.Enter())
        {
            result = OverLatest(() => _store.InOperatorTransaction(() => _lifecycle.Acknowledge(id, by, note, now)));
        }

        NotificationsQueued?.Invoke(this, EventArgs.Empty);
        return result;
    }

    /// <summary>Resolves an alert by hand (its condition may still hold: it reopens as a new alert on the next live exceedance).</summary>
    public Alert? Resolve(string id, string by, string? note)
    {
        var now = _time.GetUtcNow();
        Alert? result;
        using (_gate.Enter())
        {
            result = OverLatest(() => _store.InOperatorTransaction(() => _lifecycle.Resolve(id, by, note, now)));
        }

        NotificationsQueued?.Invoke(this, EventArgs.Empty);
        return result;
    }

    /// <summary>
    /// Runs an operator's change again while another replica changed the alert between its read and
    /// its save (its evaluator raising the value, escalating, clearing): the change is decided anew
    /// on what that replica committed, so neither overwrites the other. The conflicting save waited
    /// for that commit, so the next read sees it; a handful of rounds is only ever needed when the
    /// alert changes on every group of its evaluator.
    /// </summary>
    private static T OverLatest<T>(Func<T> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return change();
            }
            catch (AlertChangedException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>The site's flash-flood state (null when the site is not watched). Reads under the engine's lock.</summary>
    public FloodSnapshot? Flood(string site, long from, long to)
    {
        using (_gate.Enter())
        {
            return _flood?.Snapshot(site, from, to);
        }
    }

    /// <summary>The site's flash-flood warning level now (none, prepare, immediate), or null when the site is not watched: the overview's column.</summary>
    public string? FloodLevel(string site)
    {
        using (_gate.Enter())
        {
            return _flood?.Level(site);
        }
    }

    /// <summary>The in-memory state of a rule for a device (tests: what a redelivery did to a repeat count).</summary>
    internal RuleState? StateOf(string ruleId, string device)
    {
        using (_gate.Enter())
        {
            return _states.Find(ruleId, device);
        }
    }

    /// <summary>The device's record of evaluated sequence numbers (tests).</summary>
    internal EvaluatedSequences? EvaluatedSequencesOf(string device)
    {
        using (_gate.Enter())
        {
            return _duplicates.Snapshot(device);
        }
    }

    /// <summary>The site's registry profile with the <see cref="AlertsOptions.Sites"/> overrides applied field by field; null when neither knows the site.</summary>
    internal SiteInfo? SiteOf(string site) => _sites.Find(site);

    /// <summary>
    /// Stops taking input, evaluates everything queued until <paramref name="drainDeadline"/> (or
    /// <paramref name="cancellationToken"/>: the host's shutdown timeout) and writes the routine state.
    /// What the deadline cuts is logged and counted, never waited for. Safe to call more than once.
    /// </summary>
    public Task StopAsync(TimeSpan drainDeadline, CancellationToken cancellationToken = default)
    {
        lock (_stopGate)
        {
            return _stopped ??= StopCoreAsync(drainDeadline, cancellationToken);
        }
    }

    /// <summary>
    /// Tests: the loop evaluates nothing until <see cref="StopAsync"/>, so an item is provably still
    /// queued when the stop begins (otherwise the loop usually takes it within a millisecond).
    /// </summary>
    internal void HoldEvaluation() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Tests: lets a loop held by <see cref="HoldEvaluation"/> evaluate before the stop.</summary>
    internal void ReleaseEvaluation() => _held?.TrySetResult();

    /// <summary>Stops as <see cref="StopAsync"/> does, with the configured drain deadline.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(_options.StopDrainSeconds)).ConfigureAwait(false);
        _tickStop?.Dispose();
    }

    /// <summary>Runs one item as a group of its own (the public synchronous entry points).</summary>
    private void RunAlone(Work work)
    {
        bool queued;
        using (_gate.Enter())
        {
            queued = _groups.RunAlone(work);
        }

        if (queued)
        {
            NotificationsQueued?.Invoke(this, EventArgs.Empty);
        }
    }

    private async Task RunAsync(CancellationToken token)
    {
        try
        {
            // items held for a store that was away are tried again even when nothing new is queued
            while (_groups.Held > 0 || await _queue.WaitToReadAsync(token).ConfigureAwait(false))
            {
                if (_held is { } held)
                {
                    await held.Task.WaitAsync(token).ConfigureAwait(false);
                }

                // WaitToReadAsync answers at once while items are queued, whatever the token says, and the
                // token's timer may fire late on a busy machine: the stop's deadline is checked here, per group
                token.ThrowIfCancellationRequested();
                if (Stopwatch.GetTimestamp() >= Volatile.Read(ref _drainUntil))
                {
                    break;
                }

                var queued = false;
                try
                {
                    using (_gate.Enter())
                    {
                        queued = _groups.RunQueued();
                    }
                }
                catch (Exception e)
                {
                    // the group handles failed items itself: this is the store failing even to reload what
                    // the group touched. Nothing more can be done here; flushes must not wait forever.
                    _log.LogError(e, "Alert evaluation failed and its state could not be reloaded from the store");
                    _groups.Abandon();
                }

                if (queued)
                {
                    NotificationsQueued?.Invoke(this, EventArgs.Empty);
                }

                _gate.LetWaitingIn();

                if (_groups.Unreachable is { } away)
                {
                    StoreAway(away);
                    await Task.Delay(StoreRetry, token).ConfigureAwait(false);
                }
                else if (_storeAwaySince is { } since)
                {
                    _storeAwaySince = null;
                    _log.LogWarning("Alert store reachable again after {Seconds:0.0} s: the held items were evaluated in order", since.Elapsed.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The store is away (PostgreSQL restarting or unreachable): logged once per outage, without a stack
    /// trace, and counted; the items stay held in order and nothing is dropped. Readings keep being
    /// acknowledged and stored meanwhile; only their evaluation waits.
    /// </summary>
    private void StoreAway(Exception e)
    {
        if (_storeAwaySince is not null)
        {
            return;
        }

        _storeAwaySince = Stopwatch.StartNew();
        Interlocked.Increment(ref _storeOutages);
        _log.LogWarning("Alert store unreachable ({Error}): {Held} items held, evaluated in order when it is back (retried every {Ms} ms)", e.Message, _groups.Held, StoreRetry.TotalMilliseconds);
    }

    private async Task TickLoopAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.TickSeconds), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                _queue.Enqueue(Work.ForTick());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Replicas sharing PostgreSQL: every <see cref="LeaseOptions.RenewMs"/> renews the leases and
    /// takes free ones, hands over those above its fair share (<see cref="LeaseOptions.Balance"/>),
    /// and reloads the rules when another replica changed them (what other replicas hand over is
    /// queued by <see cref="HandOffLoopAsync"/>). A change of the held set wakes the engine (it reloads
    /// the state of the sites it gained) and the dispatcher (their pending notices are its now).
    /// </summary>
    private async Task LeaseLoopAsync(SharedEvaluator shared, CancellationToken token)
    {
        var failing = false;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.Lease.RenewMs), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                try
                {
                    if (shared.Leases.Renew())
                    {
                        _log.LogInformation("Alert evaluator {Replica} now holds partitions {Partitions}", shared.Leases.Replica, string.Join(",", shared.Leases.HeldTokens.Keys.Order()));
                        _queue.Enqueue(Work.ForTick());
                        NotificationsQueued?.Invoke(this, EventArgs.Empty);
                    }

                    if (shared.Leases.Surplus.Count > 0)
                    {
                        HandOver(shared, shared.Leases.Surplus);
                    }

                    var rulesVersion = _store.RulesVersion();
                    if (rulesVersion != Interlocked.Exchange(ref _rulesVersion, rulesVersion))
                    {
                        ReloadRules();
                    }

                    if (failing)
                    {
                        _log.LogWarning("Alert evaluator leases renewed again: {Replica} holds partitions [{Partitions}]", shared.Leases.Replica, string.Join(",", shared.Leases.HeldTokens.Keys.Order()));
                    }

                    failing = false;
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    // the leases run out by themselves while the database is unreachable: no commit is possible then anyway
                    if (!failing)
                    {
                        _log.LogWarning("Alert evaluator leases could not be renewed: {Error}", e.Message);
                    }

                    failing = true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Replicas sharing PostgreSQL: every <see cref="LeaseOptions.HandOffPollMs"/> queues what other
    /// replicas handed over for the sites held. Apart from the lease round (2 s) so an alert of a site
    /// whose readings another replica consumed waits a quarter second, not a lease round, for its
    /// evaluator; a database away is the lease loop's to report.
    /// </summary>
    private async Task HandOffLoopAsync(SharedEvaluator shared, CancellationToken token)
    {
        var queuedHandOffs = new HashSet<long>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.Lease.HandOffPollMs), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                try
                {
                    foreach (var work in shared.PendingNew(4096, queuedHandOffs))
                    {
                        _queue.Enqueue(work);
                    }
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    // read again at the next round: the rows stay until an evaluation takes them
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Gives the partitions above this replica's fair share to the replica short of it. Under the
    /// engine's lock no group runs, so each partition's last commit is done before its lease row is
    /// released; items of its sites evaluated from then on are handed off to the taker, which takes the
    /// row at its next round and reloads the state before it evaluates them.
    /// </summary>
    private void HandOver(SharedEvaluator shared, IReadOnlyList<int> surplus)
    {
        var given = new List<int>(surplus.Count);
        using (_gate.Enter())
        {
            foreach (var partition in surplus)
            {
                if (shared.HandOver(partition))
                {
                    given.Add(partition);
                }
            }
        }

        if (given.Count > 0)
        {
            _log.LogInformation("Alert evaluator {Replica} handed partitions {Given} over (more than a fair share); it holds {Partitions}", shared.Leases.Replica, string.Join(",", given.Order()), string.Join(",", shared.Leases.HeldTokens.Keys.Order()));
            NotificationsQueued?.Invoke(this, EventArgs.Empty); // the dispatcher lists the notices of the partitions held: those are the taker's now
        }
    }

    // A graceful stop: what is queued is evaluated before the engine stops, bounded by a deadline
    // (Alerts:StopDrainSeconds), then the routine state is written. Readings reach the queue only after
    // they are durable and acknowledged to the node, so discarding the queue at a restart or deploy
    // would silently lose the alerts of the last moments (docs/alerts.md, Stop and restart).
    private async Task StopCoreAsync(TimeSpan drainDeadline, CancellationToken cancellationToken)
    {
        // no more input: the loop ends by itself once it has evaluated what is queued
        _queue.Complete();
        if (_tickStop is not null)
        {
            await _tickStop.CancelAsync().ConfigureAwait(false);
            await Quietly(_ticker).ConfigureAwait(false);
            await Quietly(_leaseLoop).ConfigureAwait(false);
            await Quietly(_handOffLoop).ConfigureAwait(false);
        }

        var queued = QueueLength;
        var started = Stopwatch.GetTimestamp();
        _stop ??= new CancellationTokenSource();
        _loop ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None); // never started: drain all the same
        Volatile.Write(ref _drainUntil, Stopwatch.GetTimestamp() + (long)(drainDeadline.TotalSeconds * Stopwatch.Frequency));
        _held?.TrySetResult();
        _stop.CancelAfter(drainDeadline); // also ends a wait (the loop checks _drainUntil between groups)
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stop))
        {
            await Quietly(_loop).ConfigureAwait(false);
        }

        CutWhatIsLeft(queued, drainDeadline, Stopwatch.GetElapsedTime(started));
        _stop.Dispose();
        using (_gate.Enter())
        {
            _writes.WriteOnStop();
        }

        ReleaseLeases();
        _runs.MarkStopped();
    }

    /// <summary>Everything is written: another replica may take the sites over at its next round instead of after the leases expire.</summary>
    private void ReleaseLeases()
    {
        if (_store.Ownership is not SharedEvaluator shared)
        {
            return;
        }

        try
        {
            shared.Leases.Release();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            _log.LogWarning("Alert evaluator leases were not released at stop (they expire in {Seconds} s): {Error}", _options.Lease.Seconds, e.Message);
        }
    }

    /// <summary>What the deadline left in the queue: logged, counted (persisted) and released, never evaluated.</summary>
    private void CutWhatIsLeft(long queued, TimeSpan deadline, TimeSpan took)
    {
        int batches = 0, readings = 0, other = 0;
        while (_groups.TakeHeld(out var work) || _queue.Dequeue(out work))
        {
            if (work.Kind == WorkKind.Batch)
            {
                batches++;
                readings += work.Readings!.Length;
            }
            else
            {
                other++;
            }

            // its evaluation will never happen: a waiter must not hang on it
            work.Done?.TrySetCanceled();
        }

        if (batches + other == 0)
        {
            _log.LogInformation("Alert engine stopped: {Queued} queued items evaluated in {Ms:0} ms", queued, took.TotalMilliseconds);
            return;
        }

        Interlocked.Add(ref _cutAtStop, batches);
        try
        {
            _store.AddCounter(CutAtStopCounter, batches);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IoTMonitor.Gateway.State.Leases.LeaseLostException or ObjectDisposedException or InvalidOperationException)
        {
            _log.LogWarning("The count of batches cut at stop could not be stored: {Error}", e.Message);
        }

        _log.LogWarning(
            "Alert engine stop: the drain deadline ({Deadline:0.###} s) cut {Batches} queued batches ({Readings} readings) and {Other} other items; they were not evaluated for alerts (their readings are in the WAL and InfluxDB). Raise Alerts:StopDrainSeconds if this repeats.",
            deadline.TotalSeconds,
            batches,
            readings,
            other);
    }

    private static async Task Quietly(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
