// Rule states in memory: one per (rule, device), loaded at start, changed by evaluations and written
// when they change: decisive changes in the group's own transaction (the store never holds an alert
// without the state that raised it), the others with the routine write (StateWrites).

using System.Runtime.InteropServices;
using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Every rule's state per device, with the group's bookkeeping: which states the group touched
/// (written at its end, reloaded on rollback) and which wait for the routine write. One reason to
/// change: how a rule's progress is kept. Not thread-safe: used under the engine's lock.
/// </summary>
internal sealed class RuleStates(Dictionary<(string Rule, string Device), (string Site, RuleState State)> loaded)
{
    private readonly Dictionary<(string Rule, string Device), (string Site, RuleState State)> _states = loaded;
    private readonly HashSet<(string Rule, string Device)> _touched = [];
    private readonly HashSet<(string Rule, string Device)> _lazy = [];

    public RuleState? Find(string ruleId, string device) =>
        _states.TryGetValue((ruleId, device), out var entry) ? entry.State : null;

    /// <summary>
    /// The state of this rule and device, noted as touched before anything changes it. A device that
    /// moved to another site takes its state along (the stored row always followed the latest site).
    /// </summary>
    public RuleState Track(string ruleId, string site, string device)
    {
        var key = (ruleId, device);
        _touched.Add(key);
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

    /// <summary>Whether another device of <paramref name="site"/> still holds a per-site rule active.</summary>
    public bool ActiveElsewhere(string ruleId, string site, string device) =>
        _states.Any(s => s.Key.Rule == ruleId && s.Key.Device != device && s.Value.Site == site && s.Value.State.Active);

    /// <summary>
    /// In the group's transaction: decisive changes now, the rest with the next routine write; with
    /// <paramref name="everyChange"/> (a shared store, where another replica may continue the rule
    /// after a failover) every change now, so a duration or window never restarts.
    /// </summary>
    public void WriteGroup(AlertStore store, bool everyChange)
    {
        foreach (var key in _touched)
        {
            if (_states.TryGetValue(key, out var entry) && entry.State.Changed)
            {
                if (entry.State.Decisive || everyChange)
                {
                    store.SaveState(key.Rule, key.Device, entry.Site, entry.State);
                }
                else
                {
                    _lazy.Add(key);
                }
            }
        }
    }

    /// <summary>The routine write: the states changed since the last one.</summary>
    public void WriteLazy(AlertStore store)
    {
        foreach (var key in _lazy)
        {
            if (_states.TryGetValue(key, out var entry) && entry.State.Changed)
            {
                store.SaveState(key.Rule, key.Device, entry.Site, entry.State);
            }
        }

        _lazy.Clear();
    }

    /// <summary>After a rollback: what the group touched goes back to what the store holds (memory ran ahead of it).</summary>
    public void Revert(AlertStore store)
    {
        foreach (var key in _touched)
        {
            if (store.LoadState(key.Rule, key.Device) is { } stored)
            {
                _states[key] = stored;
            }
            else
            {
                _states.Remove(key);
            }
        }
    }

    /// <summary>The states become what the store holds (another gateway may have changed them while it owned their sites).</summary>
    public void Replace(Dictionary<(string Rule, string Device), (string Site, RuleState State)> stored)
    {
        _states.Clear();
        foreach (var (key, value) in stored)
        {
            _states[key] = value;
        }

        _touched.Clear();
        _lazy.Clear();
    }

    public void EndGroup() => _touched.Clear();
}
