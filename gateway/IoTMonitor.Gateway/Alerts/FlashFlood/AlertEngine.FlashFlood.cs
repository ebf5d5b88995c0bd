// The alert engine's flash-flood hook (docs/alerts.md "Flash-flood warnings"): rain.total and
// water.level readings of a watched site feed its FlashFloodWatch; each warning level is an alert
// rule of kind flash_flood, one alert per site, raised when the site's condition reaches the level,
// cleared (all clear) when it has been below for the hold time, through the engine's lifecycle and
// outbox. The notice names the site's warning targets and what they must do; their contacts get the
// SMS and e-mail channels' events besides the configured lists.

using IoTMonitor.Gateway.Alerts.FlashFlood;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    private const string RainCode = "rain.total";
    private const string LevelCode = "water.level";

    private FlashFloodWatch? _flood;
    private long _floodPruned;
    private long _rainDecreases;

    /// <summary>The flash-flood watch (null when off or no site is watched); the API reads sums and levels from it.</summary>
    public FlashFloodWatch? FlashFlood => _flood;

    /// <summary>rain.total readings lower than their predecessor in the same boot (reason rain_decrease; tests and /metrics).</summary>
    public long RainDecreases => Interlocked.Read(ref _rainDecreases);

    /// <summary>Loads the pack, seeds its two rules and the stored rain readings. Called by the constructor before the rules are loaded.</summary>
    private void StartFlashFlood()
    {
        var options = _options.FlashFlood;
        if (!options.Enabled || options.Sites.Count == 0)
        {
            return;
        }

        var pack = FlashFloodPack.Load(options.PackPath);
        var now = _time.GetUtcNow();
        foreach (var level in pack.Levels)
        {
            _store.SeedRule(level.Rule(), now);
        }

        _flood = new FlashFloodWatch(options, pack);
        LoadRain();
    }

    private void LoadRain()
    {
        _flood!.Rain.Clear();
        foreach (var reading in _store.LoadRain(_time.GetUtcNow().ToUnixTimeSeconds() - _flood.KeepSeconds))
        {
            _flood.Rain.Add(reading);
        }
    }

    /// <summary>After a rollback: the ledger ran ahead of the store.</summary>
    private void RevertFlashFlood()
    {
        if (_flood is not null)
        {
            LoadRain();
        }
    }

    /// <summary>Feeds a batch's new rain and level readings to the watch and steps both levels at each of their times.</summary>
    private bool EvaluateFlashFlood(string site, string device, long boot, Reading[] readings, DateTimeOffset now)
    {
        if (_flood is null || !_flood.Watches(site))
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
                queued |= StepFlashFlood(site, device, t, now);
            }
        }

        // a late reading changes the sums at the newest time too (it splits its successor's increment)
        if (times.Min < newest && LastFloodTime(site) == newest)
        {
            queued |= StepFlashFlood(site, device, newest, now);
        }

        if (newest - _floodPruned > 600)
        {
            _floodPruned = newest;
            _flood.Rain.Prune(newest - _flood.KeepSeconds);
            _store.PruneRain(newest - _flood.KeepSeconds);
        }

        return queued;
    }

    private long LastFloodTime(string site)
    {
        var rule = _flood!.Pack.Of(WarningLevel.Prepare).RuleId;
        return _states.TryGetValue((rule, FloodSubject(site)), out var entry) ? entry.State.LastT : long.MinValue;
    }

    /// <summary>The rule states of a site's levels are the site's, not one device's.</summary>
    private static string FloodSubject(string site) => "site:" + site;

    private bool StepFlashFlood(string site, string device, long t, DateTimeOffset now)
    {
        var condition = _flood!.Evaluate(site, t);
        var late = now.ToUnixTimeSeconds() - t > _options.LiveWindowSeconds;
        var queued = false;
        foreach (var level in new[] { WarningLevel.Prepare, WarningLevel.Immediate })
        {
            var rule = RuleById(_flood.Pack.Of(level).RuleId);
            if (rule is null)
            {
                continue; // disabled or deleted through the API
            }

            var state = Track(rule.Id, site, FloodSubject(site));
            state.LastT = Math.Max(state.LastT, t);
            if (condition.Level >= level)
            {
                state.PendingSince = null;
                var eval = new Evaluation(state.Active ? Transition.Hold : Transition.Raise, condition.Value, condition.ReasonFor(level));
                if (!state.Active)
                {
                    state.Active = true;
                    state.Since = t;
                    queued |= Raise(rule, site, device, state, eval, late, now);
                }
                else
                {
                    queued |= Hold(rule, site, device, state, eval, late, now);
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
                    queued |= Clear(rule, site, device, new Evaluation(Transition.Clear, condition.Value, $"below every {level.ToString().ToLowerInvariant()} criterion for {minutes} min: all clear"), late, now);
                }
            }
        }

        return queued;
    }

    private AlertRule? RuleById(string id)
    {
        foreach (var rule in _rules)
        {
            if (rule.Id == id)
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>The notice's action for a flash-flood level: who must move, where to, and whom to call; other rules keep theirs.</summary>
    private string ActionOf(AlertRule rule, string site, bool zh)
    {
        if (rule.Kind != RuleKind.FlashFlood || _flood?.Site(site) is not { } config)
        {
            return zh ? rule.ActionZh : rule.Action;
        }

        var text = zh && rule.ActionZh.Length > 0 ? rule.ActionZh : rule.Action;

        var level = _flood.Pack.Levels.FirstOrDefault(l => l.RuleId == rule.Id)?.Level ?? WarningLevel.Prepare;
        return WarningTargets.Describe(text, level, config, zh);
    }

    /// <summary>The warning targets' contacts on the SMS and e-mail channels (when those are on): they are told as the primary list is.</summary>
    private IEnumerable<(string Channel, string Recipient)> FlashFloodContacts(AlertRule rule, Alert alert, string type)
    {
        if (rule.Kind != RuleKind.FlashFlood || alert.Late || _flood?.Site(alert.Site) is not { } config
            || type is not (AlertEventTypes.Opened or AlertEventTypes.Renotified or AlertEventTypes.Escalated or AlertEventTypes.Resolved))
        {
            yield break;
        }

        foreach (var channel in _channels)
        {
            foreach (var recipient in WarningTargets.Recipients(config, channel.Name))
            {
                yield return (channel.Name, recipient);
            }
        }
    }
}

/// <summary>A site's flash-flood state for the API and the dashboard: its level now, the sums at its newest reading and the increments of a period.</summary>
/// <param name="LevelPrepare">The site's prepare-to-evacuate water level (m; null = not used), drawn on the level chart.</param>
/// <param name="LevelImmediate">The site's evacuate-immediately water level (m; null = not used).</param>
public sealed record FloodSnapshot(string Site, string Level, long? NewestReading, IReadOnlyList<FloodSum> Sums, IReadOnlyList<RainIncrement> Increments, double? LevelPrepare, double? LevelImmediate);

/// <summary>One duration's rainfall at the newest reading and the site's critical values for it.</summary>
public sealed record FloodSum(int Minutes, double Mm, double? Prepare, double? Immediate);

public sealed partial class AlertEngine
{
    /// <summary>The site's flash-flood state (null when the site is not watched). Reads under the engine's lock.</summary>
    public FloodSnapshot? Flood(string site, long from, long to)
    {
        lock (_gate)
        {
            if (_flood is null || !_flood.Watches(site))
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
    }

    /// <summary>The site's flash-flood warning level now (none, prepare, immediate), or null when the site is not watched: the overview's column.</summary>
    public string? FloodLevel(string site)
    {
        lock (_gate)
        {
            return _flood is not null && _flood.Watches(site) ? LevelNow(site) : null;
        }
    }

    // the open, not late, flash-flood alert of highest level
    private string LevelNow(string site) =>
        _store.FindActive(_flood!.Pack.Of(WarningLevel.Immediate).RuleId, site) is { Late: false } ? "immediate"
        : _store.FindActive(_flood.Pack.Of(WarningLevel.Prepare).RuleId, site) is { Late: false } ? "prepare"
        : "none";
}
