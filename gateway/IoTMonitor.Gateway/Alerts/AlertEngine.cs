using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Registry;
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
/// <para>
/// The class is split by reason to change: this file holds what the engine offers and the state its
/// parts share; the queue (<c>AlertEngine.Queue.cs</c>), the group commit and its failure isolation
/// (<c>AlertEngine.Groups.cs</c>), when changed state is written (<c>AlertEngine.StateWrites.cs</c>),
/// evaluation of readings (<c>AlertEngine.Readings.cs</c>), which readings were already evaluated
/// (redeliveries, <see cref="DuplicateTracker"/>), the alert lifecycle
/// (<c>AlertEngine.Lifecycle.cs</c>), silence (<c>AlertEngine.Silence.cs</c>) against the node schedules (<see cref="NodeSchedules"/>),
/// events and the outbox (<c>AlertEngine.Notices.cs</c>), the graceful stop's drain (<c>AlertEngine.Stop.cs</c>),
/// whether the previous run stopped cleanly (<c>AlertEngine.Runs.cs</c>) and where a site is (<see cref="SiteInfoLookup"/>).
/// </para>
/// </summary>
public sealed partial class AlertEngine : IAsyncDisposable
{
    private readonly AlertsOptions _options;
    private readonly AlertStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SiteInfoLookup _sites;
    private readonly IReadOnlyList<IAlertChannel> _channels;
    private readonly DuplicateTracker _duplicates;
    private readonly object _gate = new();
    private readonly Dictionary<(string Rule, string Device), (string Site, RuleState State)> _states;
    private readonly NodeSchedules _nodes;

    private List<AlertRule> _rules = [];
    private CancellationTokenSource? _stop;
    private CancellationTokenSource? _tickStop;
    private Task? _loop;
    private Task? _ticker;
    private long _batches;
    private long _groups;
    private long _failures;

    /// <param name="channels">Who gets which event: each channel's <see cref="IAlertChannel.Recipients"/>, asked when an event is recorded.</param>
    /// <param name="profiles">The registry's site profile by id (null = none: only <see cref="AlertsOptions.Sites"/>).</param>
    public AlertEngine(AlertsOptions options, AlertStore store, IEnumerable<IAlertChannel> channels, TimeProvider time, ILogger log, Func<string, SiteProfile?>? profiles = null)
    {
        _options = options;
        _store = store;
        _channels = channels.ToList();
        _time = time;
        _log = log;
        _sites = new SiteInfoLookup(options, log, profiles);
        _states = store.LoadStates();
        _nodes = new NodeSchedules(store.LoadSchedules());
        _duplicates = new DuplicateTracker(store.LoadEvaluatedSequences());
        _cutAtStop = store.Counter(CutAtStopCounter);
        CheckPreviousRun();
        StartFlashFlood();
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
        MarkRunning();
        _stop = new CancellationTokenSource();
        _tickStop = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stop.Token));
        _ticker = Task.Run(() => TickLoopAsync(_tickStop.Token));
    }

    /// <summary>The in-memory state of a rule for a device (tests: what a redelivery did to a repeat count).</summary>
    internal RuleState? StateOf(string ruleId, string device)
    {
        lock (_gate)
        {
            return _states.TryGetValue((ruleId, device), out var entry) ? entry.State : null;
        }
    }

    /// <summary>Readings not evaluated because their (device, boot, n) had been evaluated before (tests and /metrics).</summary>
    public long DuplicateReadingsSkipped => _duplicates.Skipped;

    /// <summary>The device's record of evaluated sequence numbers (tests).</summary>
    internal EvaluatedSequences? EvaluatedSequencesOf(string device)
    {
        lock (_gate)
        {
            return _duplicates.Snapshot(device);
        }
    }

    /// <summary>The site's registry profile with the <see cref="AlertsOptions.Sites"/> overrides applied field by field; null when neither knows the site.</summary>
    internal SiteInfo? SiteOf(string site) => _sites.Find(site);

    /// <summary>Stops as <see cref="StopAsync"/> does, with the configured drain deadline.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(_options.StopDrainSeconds)).ConfigureAwait(false);
        _tickStop?.Dispose();
    }
}
