// Whether the previous run stopped cleanly. A crash (SIGKILL, power loss) loses to alerting what
// was queued and the group being evaluated (docs/alerts.md, Stop and restart); that cannot be
// replayed yet, so the next start at least says so, and for which interval, instead of nothing.

using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>The engine's runs as the store's counters record them. One reason to change: how an unclean stop is detected and reported.</summary>
internal sealed class RunRecord
{
    // Persisted in the store's counters table: 1 while a started engine has not finished its stop.
    private const string RunningCounter = "engine_running";

    // Gateway time (Unix ms) of the last lazy write, and what was queued then: where a crash's gap begins.
    private const string AliveAtCounter = "engine_alive_at_ms";
    private const string QueuedAtAliveCounter = "engine_queued_at_alive";
    private const string UncleanStopsCounter = "engine_unclean_stops";

    private readonly AlertStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private long _uncleanStops;

    /// <summary>Reports a previous run that was started and never finished its stop.</summary>
    public RunRecord(AlertStore store, TimeProvider time, ILogger log)
    {
        _store = store;
        _time = time;
        _log = log;
        if (_store.Counter(RunningCounter) != 1)
        {
            _uncleanStops = _store.Counter(UncleanStopsCounter);
            return;
        }

        _store.AddCounter(UncleanStopsCounter, 1);
        _store.SetCounter(RunningCounter, 0); // reported once
        _uncleanStops = _store.Counter(UncleanStopsCounter);
        var aliveAt = _store.Counter(AliveAtCounter);
        _log.LogWarning(
            "Alert engine: the previous run did not stop cleanly (crash, kill or power loss). Readings acknowledged after its last state write at {AliveAt:yyyy-MM-dd HH:mm:ss} UTC (with {Queued} items queued then) may not all have been evaluated for alerts; they are stored in InfluxDB: check that interval by hand.",
            DateTimeOffset.FromUnixTimeMilliseconds(aliveAt).UtcDateTime,
            _store.Counter(QueuedAtAliveCounter));
    }

    /// <summary>Starts of this store after a run that did not stop cleanly (crash, kill, power loss).</summary>
    public long UncleanStops => Interlocked.Read(ref _uncleanStops);

    public void MarkRunning() => _store.SetCounter(RunningCounter, 1);

    /// <summary>With every routine write (in its transaction): a crash's gap starts after this.</summary>
    public void MarkAlive(long queued)
    {
        _store.SetCounter(AliveAtCounter, _time.GetUtcNow().ToUnixTimeMilliseconds());
        _store.SetCounter(QueuedAtAliveCounter, queued);
    }

    public void MarkStopped()
    {
        try
        {
            _store.SetCounter(RunningCounter, 0);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IoTMonitor.Gateway.State.Leases.LeaseLostException or ObjectDisposedException or InvalidOperationException)
        {
            _log.LogWarning("The alert engine's clean stop could not be recorded (the next start will report an unclean one): {Error}", e.Message);
        }
    }
}
