// Schedule-aware silence: what a node announces (status: wake interval, next report) and when it was
// last heard, kept as its NodeSchedule (docs/alerts.md, Schedule-aware silence).

using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Every node's announced schedule and when it was last heard, with the group's bookkeeping: which
/// schedules the group touched (written at its end, reloaded on rollback) and which wait for the
/// routine write. One reason to change: how the engine knows when a node should report. Not
/// thread-safe: the engine calls it under its lock.
/// </summary>
internal sealed class NodeSchedules(Dictionary<string, NodeSchedule> loaded)
{
    private readonly Dictionary<string, NodeSchedule> _schedules = loaded;
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private readonly HashSet<string> _lazy = new(StringComparer.Ordinal);

    public IEnumerable<NodeSchedule> All => _schedules.Values;

    /// <summary>The node was heard: a reading (<paramref name="status"/> null) or its retained status.</summary>
    public void Seen(string site, string device, long now, JsonElement? status)
    {
        _touched.Add(device);
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

    /// <summary>In the group's transaction: decisive changes now (every change with <paramref name="everyChange"/>: a shared store), the rest with the next routine write.</summary>
    public void WriteGroup(AlertStore store, bool everyChange)
    {
        foreach (var device in _touched)
        {
            if (_schedules.TryGetValue(device, out var schedule) && schedule.Changed)
            {
                if (schedule.Decisive || everyChange)
                {
                    store.SaveSchedule(schedule);
                }
                else
                {
                    _lazy.Add(device);
                }
            }
        }
    }

    /// <summary>The routine write: what changed since the last one.</summary>
    public void WriteLazy(AlertStore store)
    {
        foreach (var device in _lazy)
        {
            if (_schedules.TryGetValue(device, out var schedule) && schedule.Changed)
            {
                store.SaveSchedule(schedule);
            }
        }

        _lazy.Clear();
    }

    /// <summary>After a rollback: what the group touched goes back to what the store holds.</summary>
    public void Revert(AlertStore store)
    {
        foreach (var device in _touched)
        {
            if (store.LoadSchedule(device) is { } stored)
            {
                _schedules[device] = stored;
            }
            else
            {
                _schedules.Remove(device);
            }
        }
    }

    /// <summary>The schedules become what the store holds (another gateway may have changed them while it owned their sites).</summary>
    public void Replace(Dictionary<string, NodeSchedule> stored)
    {
        _schedules.Clear();
        foreach (var (device, schedule) in stored)
        {
            _schedules[device] = schedule;
        }

        _touched.Clear();
        _lazy.Clear();
    }

    public void EndGroup() => _touched.Clear();
}
