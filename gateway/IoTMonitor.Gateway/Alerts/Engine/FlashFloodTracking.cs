// The alert engine's flash-flood hook (docs/alerts.md "Flash-flood warnings"): rain.total and
// water.level readings of a watched site feed its FlashFloodWatch; each warning level is an alert
// rule of kind flash_flood, one alert per site, raised when the site's condition reaches the level,
// cleared (all clear) when it has been below for the hold time, through the lifecycle and outbox.

using IoTMonitor.Gateway.Alerts.FlashFlood;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Model;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Feeds a watched site's readings to its <see cref="FlashFloodWatch"/> and steps both warning levels
/// through the lifecycle. One reason to change: how rainfall and level become warnings. Not
/// thread-safe: used under the engine's lock.
/// </summary>
internal sealed class FlashFloodTracking
{
    private const string RainCode = "rain.total";
    private const string LevelCode = "water.level";

    private readonly FlashFloodWatch _flood;
    private readonly AlertsOptions _options;
    private readonly AlertStore _store;
    private readonly RuleSet _rules;
    private readonly RuleStates _states;
    private readonly AlertLifecycle _lifecycle;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private long _floodPruned;
    private long _rainDecreases;

    public FlashFloodTracking(FlashFloodWatch flood, AlertsOptions options, AlertStore store, RuleSet rules, RuleStates states, AlertLifecycle lifecycle, TimeProvider time, ILogger log)
    {
        _flood = flood;
        _options = options;
        _store = store;
        _rules = rules;
        _states = states;
        _lifecycle = lifecycle;
        _time = time;
        _log = log;
        LoadRain();
    }

    public FlashFloodWatch Watch => _flood;

    /// <summary>rain.total readings lower than their predecessor in the same boot (reason rain_decrease).</summary>
    public long RainDecreases => Interlocked.Read(ref _rainDecreases);

    /// <summary>Loads the pack and seeds its two rules (before the engine loads its rules); null when off or no site is watched.</summary>
    public static FlashFloodWatch? Open(AlertsOptions options, AlertStore store, TimeProvider time)
    {
        var o = options.FlashFlood;
        if (!o.Enabled || o.Sites.Count == 0)
        {
            return null;
        }

        var pack = FlashFloodPack.Load(o.PackPath);
        var now = time.GetUtcNow();
        foreach (var level in pack.Levels)
        {
            store.SeedRule(level.Rule(), now);
        }

        return new FlashFloodWatch(o, pack);
    }

    /// <summary>After a rollback: the ledger ran ahead of the store.</summary>
    public void Revert() => LoadRain();

    /// <summary>Feeds a batch's new rain and level readings to the watch and steps both levels at each of their times.</summary>
    public bool Evaluate(string site, string device, long boot, Reading[] readings, DateTimeOffset now)
    {
        if (!_flood.Watches(site))
        {
            return false;
        }

        var times = new SortedSet<long>();
        foreach (ref readonly var r in readings.AsSpan())
        {
            if (r.Value is not { } value || (r.Flags & RuleEvaluator.Untrusted) != 0)
            {
                continue;
            }

            if (r.Quantity.Code == RainCode && boot >= 0)
            {
                var reading = new RainReading(site, device, boot, r.N, r.T, value);
                var added = _flood.Rain.Add(reading);
                if (added == RainAdd.Duplicate)
                {
                    continue;
                }

                _store.SaveRain(reading);
                if (added == RainAdd.StoredWithDecrease)
                {
                    Interlocked.Increment(ref _rainDecreases);
                    _log.LogWarning("rain.total of {Device} boot {Boot} n {N} ({Value} mm) breaks the boot's running total: increment taken as 0 (reason rain_decrease)", device, boot, r.N, value);
                }

                times.Add(r.T);
            }
            else if (r.Quantity.Code == LevelCode)
            {
                _flood.AddLevel(site, r.T, value);
                times.Add(r.T);
            }
        }

        if (times.Count == 0)
        {
            return false;
        }

        var queued = false;
        var newest = Math.Max(times.Max, LastFloodTime(site));
        foreach (var t in times)
        {
            if (t >= LastFloodTime(site))
            {
                queued |= Step(site, device, t, now);
            }
        }

        // a late reading changes the sums at the newest time too (it splits its successor's increment)
        if (times.Min < newest && LastFloodTime(site) == newest)
        {
            queued |= Step(site, device, newest, now);
        }

        if (newest - _floodPruned > 600)
        {
            _floodPruned = newest;
            _flood.Rain.Prune(newest - _flood.KeepSeconds);
            _store.PruneRain(newest - _flood.KeepSeconds);
        }

        return queued;
    }

    /// <summary>The site's flash-flood state, or null when the site is not watched.</summary>
    public FloodSnapshot? Snapshot(string site, long from, long to)
    {
        if (!_flood.Watches(site))
        {
            return null;
        }

        var level = LevelNow(site);
        var newest = _flood.Rain.Newest(site);
        var sums = _flood.Pack.DurationsMinutes.Order().Select(m => new FloodSum(
            m,
            newest is { } t ? _flood.Rain.Sum(site, t, 60L * m) : 0,
            _flood.Critical(site, WarningLevel.Prepare, m)?.Mm,
            _flood.Critical(site, WarningLevel.Immediate, m)?.Mm)).ToList();
        var config = _flood.Site(site)!;
        return new FloodSnapshot(site, level, newest, sums, _flood.Rain.Increments(site, from, to), config.LevelPrepare, config.LevelImmediate);
    }

    /// <summary>The site's warning level now (none, prepare, immediate), or null when the site is not watched.</summary>
    public string? Level(string site) => _flood.Watches(site) ? LevelNow(site) : null;

    private void LoadRain()
    {
        _flood.Rain.Clear();
        foreach (var reading in _store.LoadRain(_time.GetUtcNow().ToUnixTimeSeconds() - _flood.KeepSeconds))
        {
            _flood.Rain.Add(reading);
        }
    }

    private long LastFloodTime(string site)
    {
        var rule = _flood.Pack.Of(WarningLevel.Prepare).RuleId;
        return _states.Find(rule, FloodSubject(site)) is { } state ? state.LastT : long.MinValue;
    }

    /// <summary>The rule states of a site's levels are the site's, not one device's.</summary>
    private static string FloodSubject(string site) => "site:" + site;

    private bool Step(string site, string device, long t, DateTimeOffset now)
    {
        var condition = _flood.Evaluate(site, t);
        var late = now.ToUnixTimeSeconds() - t > _options.LiveWindowSeconds;
        var queued = false;
        foreach (var level in new[] { WarningLevel.Prepare, WarningLevel.Immediate })
        {
            var rule = _rules.ById(_flood.Pack.Of(level).RuleId);
            if (rule is null)
            {
                continue; // disabled or deleted through the API
            }

            var state = _states.Track(rule.Id, site, FloodSubject(site));
            state.LastT = Math.Max(state.LastT, t);
            if (condition.Level >= level)
            {
                state.PendingSince = null;
                var eval = new Evaluation(state.Active ? Transition.Hold : Transition.Raise, condition.Value, condition.ReasonFor(level));
                if (!state.Active)
                {
                    state.Active = true;
                    state.Since = t;
                    queued |= _lifecycle.Raise(rule, site, device, state, eval, late, now);
                }
                else
                {
                    queued |= _lifecycle.Hold(rule, site, device, state, eval, late, now);
                }
            }
            else if (state.Active)
            {
                state.PendingSince ??= t;
                if (t - state.PendingSince >= _flood.ClearHoldSeconds)
                {
                    state.Active = false;
                    state.PendingSince = null;
                    state.Since = null;
                    var minutes = _flood.ClearHoldSeconds / 60;
                    queued |= _lifecycle.Clear(rule, site, device, new Evaluation(Transition.Clear, condition.Value, $"below every {level.ToString().ToLowerInvariant()} criterion for {minutes} min: all clear"), late, now);
                }
            }
        }

        return queued;
    }

    // the open, not late, flash-flood alert of highest level
    private string LevelNow(string site) =>
        _store.FindActive(_flood.Pack.Of(WarningLevel.Immediate).RuleId, site) is { Late: false } ? "immediate"
        : _store.FindActive(_flood.Pack.Of(WarningLevel.Prepare).RuleId, site) is { Late: false } ? "prepare"
        : "none";
}
