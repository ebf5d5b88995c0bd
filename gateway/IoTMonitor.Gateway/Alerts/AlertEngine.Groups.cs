// Group commit: what is queued is evaluated in groups, one SQLite transaction each, so a burst costs
// one fsync per group. A failing item is isolated by rolling the group back, reloading what it
// touched and running the items again around it. Also what a group touched (rule states, node
// schedules, site profiles read once per group, which readings it evaluated), which is what it writes or reverts.

using System.Diagnostics;
using System.Runtime.InteropServices;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Model;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    /// <summary>Most queued items evaluated in one transaction.</summary>
    internal const int MaxGroupItems = 512;

    /// <summary>
    /// How long the loop keeps adding queued items to a group: it bounds the delay of a notification
    /// (sent after the commit) and how long operator actions wait for <c>_gate</c>.
    /// </summary>
    internal TimeSpan GroupBudget { get; set; } = TimeSpan.FromMilliseconds(10);

    // The group being evaluated (under _gate). What it touched is written at its end if changed, or
    // reloaded from the store if the group rolls back.
    private readonly List<Work> _group = new(MaxGroupItems);
    private readonly HashSet<(string Rule, string Device)> _touchedStates = [];

    private readonly Dictionary<string, SiteInfo?> _groupSites = new(StringComparer.Ordinal);
    private readonly List<TaskCompletionSource> _groupFlushes = [];
    private int _groupBatches;
    private bool _groupQueued;

    /// <summary>Runs one item as a group of its own (the public synchronous entry points).</summary>
    private void RunAlone(Work work)
    {
        bool queued;
        lock (_gate)
        {
            _group.Clear();
            _group.Add(work);
            queued = RunGroup(more: false);
        }

        if (queued)
        {
            NotificationsQueued?.Invoke(this, EventArgs.Empty);
        }
    }

    /// <summary>
    /// Evaluates <see cref="_group"/> and, when <paramref name="more"/> is set, whatever else is
    /// queued (within <see cref="MaxGroupItems"/> and <see cref="GroupBudget"/>) in one transaction,
    /// then writes the rule states and schedules that changed. Caller holds <c>_gate</c>. Returns
    /// whether notifications were queued.
    /// <para>
    /// If an item throws or the commit fails, the whole transaction is rolled back: the other items
    /// may already have written alerts and outbox rows that only make sense with their state, and
    /// SQLite itself may have ended the transaction (disk full, I/O error). What the group touched in
    /// memory is reloaded from the store, and the items run again in order: those before the one
    /// that threw as a group, that one alone (dropped, logged and counted if it throws again), those
    /// after it as a group. A failed commit names no item, so then each item runs alone.
    /// </para>
    /// </summary>
    private bool RunGroup(bool more)
    {
        ResetGroup();
        var started = Stopwatch.GetTimestamp();
        var running = 0;
        try
        {
            _store.InTransaction(() =>
            {
                for (; ; running++)
                {
                    if (running == _group.Count)
                    {
                        if (!more || running >= MaxGroupItems || Stopwatch.GetElapsedTime(started) >= GroupBudget || !Dequeue(out var next))
                        {
                            break;
                        }

                        _group.Add(next);
                    }

                    Execute(_group[running]);
                }

                WriteChanges();
                return 0;
            });
        }
        catch (Exception e)
        {
            Revert();
            var items = _group.ToArray();
            if (items.Length == 1)
            {
                Interlocked.Increment(ref _failures);
                _log.LogError(e, "Alert evaluation of a {Kind} ({Site}/{Device}) failed; its changes were rolled back", items[0].Kind, items[0].Site, items[0].Device);
                items[0].Done?.TrySetResult(); // a flush waits for the evaluation, not for its success
                return false;
            }

            _log.LogWarning(e, "An alert evaluation group of {Count} items failed; evaluating it again around the failing item", items.Length);
            var queued = false;
            if (running < items.Length)
            {
                queued |= RunAgain(items.AsSpan(0, running));
                queued |= RunAgain(items.AsSpan(running, 1));
                queued |= RunAgain(items.AsSpan(running + 1));
            }
            else
            {
                for (var i = 0; i < items.Length; i++)
                {
                    queued |= RunAgain(items.AsSpan(i, 1));
                }
            }

            return queued;
        }

        Interlocked.Add(ref _batches, _groupBatches);
        _duplicates.Commit();
        Interlocked.Increment(ref _groups);
        foreach (var done in _groupFlushes)
        {
            done.TrySetResult();
        }

        return _groupQueued;
    }

    private bool RunAgain(ReadOnlySpan<Work> items)
    {
        if (items.IsEmpty)
        {
            return false;
        }

        _group.Clear();
        _group.AddRange(items);
        return RunGroup(more: false);
    }

    private void Execute(in Work work)
    {
        switch (work.Kind)
        {
            case WorkKind.Batch:
                Evaluate(work.Site, work.Device, work.Boot, work.Readings!, work.Battery, work.HealthTime);
                _groupBatches++;
                break;
            case WorkKind.Status:
                Status(work.Site, work.Device, work.Payload);
                break;
            case WorkKind.Tick:
                CheckSchedules();
                break;
            case WorkKind.Flush:
                _groupFlushes.Add(work.Done!);
                break;
        }
    }

    private void ResetGroup()
    {
        _touchedStates.Clear();
        _nodes.EndGroup();
        _groupSites.Clear();
        _groupFlushes.Clear();
        _groupBatches = 0;
        _groupQueued = false;
        _duplicates.EndGroup();
    }

    /// <summary>After a rollback: what the group touched goes back to what the store holds (memory ran ahead of it).</summary>
    private void Revert()
    {
        _duplicates.Revert();
        foreach (var key in _touchedStates)
        {
            if (_store.LoadState(key.Rule, key.Device) is { } stored)
            {
                _states[key] = stored;
            }
            else
            {
                _states.Remove(key);
            }
        }

        _nodes.Revert(_store);
        RevertFlashFlood();
    }

    /// <summary>
    /// The state of this rule and device, noted as touched before anything changes it. A device that
    /// moved to another site takes its state along (the stored row always followed the latest site).
    /// </summary>
    private RuleState Track(string ruleId, string site, string device)
    {
        var key = (ruleId, device);
        _touchedStates.Add(key);
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

    /// <summary>The site's profile, read once per group: a burst from one site costs one registry read.</summary>
    private SiteInfo? SiteInGroup(string site)
    {
        if (!_groupSites.TryGetValue(site, out var info))
        {
            info = SiteOf(site);
            _groupSites[site] = info;
        }

        return info;
    }
}
