// Redelivered readings: QoS 1 may deliver a telemetry batch twice (a node resending after a lost
// PUBACK, a node or gateway restart). InfluxDB stores such a reading once, but evaluating it again
// would count an identical reading as one more repeat and show a window rule the same sample twice.
// The engine therefore evaluates each (device, boot, n) once (docs/alerts.md, Redelivered readings);
// this tracker is its record of them.
//
// Why the engine keeps its own record instead of the ingest ledger's duplicate count: the ledger
// forgets old gaps (a genuine late reading there would count as a duplicate and be hidden from the
// rules) and takes every reading of an earlier boot as new; and the engine's record must roll back
// with a failed group, since an evaluation that was rolled back did not happen.

using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Which (device, boot, n) the engine has evaluated, with the group's rollback of that record and
/// its lazy write. One reason to change: how redeliveries are recognised. Not thread-safe: the
/// engine calls it under its lock, from the group being evaluated.
/// </summary>
internal sealed class DuplicateTracker(Dictionary<string, EvaluatedSequences> loaded)
{
    // Per device (ids are unique across sites, as the rule states' keys assume). Loaded from the store
    // and written with the routine states (every few seconds and at stop), so a redelivery after a
    // restart is recognised as well; a crash loses what the routine states lose.
    private readonly Dictionary<string, EvaluatedSequences> _evaluated = loaded;
    private readonly HashSet<string> _lazySequences = new(StringComparer.Ordinal);

    // The site each device last reported from: a shared store fences the record's write by its site.
    private readonly Dictionary<string, string> _siteOf = new(StringComparer.Ordinal);

    // What each device's record was before the group touched it (null: it had none), restored on rollback.
    // The copies live in _rollbackCopies, one reused per device, so a group allocates nothing for them.
    private readonly Dictionary<string, EvaluatedSequences?> _evaluatedBefore = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EvaluatedSequences> _rollbackCopies = new(StringComparer.Ordinal);
    private long _skipped;
    private int _groupDuplicates;

    /// <summary>Readings not evaluated because their (device, boot, n) had been evaluated before, over committed groups.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>
    /// The readings of <paramref name="batch"/> not evaluated before, recorded as evaluated now; the
    /// batch itself when all are new (the usual case: no copy).
    /// </summary>
    public Reading[] NotYetEvaluated(string site, string device, long boot, Reading[] batch)
    {
        if (boot < 0 || batch.Length == 0)
        {
            return batch; // no sequence identity (the synchronous test entry point)
        }

        _siteOf[device] = site;

        var seen = EvaluatedOf(device);
        List<Reading>? fresh = null;
        for (var i = 0; i < batch.Length; i++)
        {
            if (seen.Add(boot, batch[i].N))
            {
                fresh?.Add(batch[i]);
                continue;
            }

            _groupDuplicates++;
            fresh ??= new List<Reading>(batch.AsSpan(0, i).ToArray());
        }

        return fresh is null ? batch : [.. fresh];
    }

    /// <summary>The device's record, saved first for a rollback if this group has not touched it yet.</summary>
    private EvaluatedSequences EvaluatedOf(string device)
    {
        _evaluated.TryGetValue(device, out var seen);
        if (!_evaluatedBefore.ContainsKey(device))
        {
            EvaluatedSequences? before = null;
            if (seen is not null)
            {
                if (!_rollbackCopies.TryGetValue(device, out before))
                {
                    before = new EvaluatedSequences();
                    _rollbackCopies[device] = before;
                }

                seen.CopyTo(before);
            }

            _evaluatedBefore[device] = before;
        }

        if (seen is null)
        {
            seen = new EvaluatedSequences();
            _evaluated[device] = seen;
        }

        return seen;
    }

    /// <summary>After a rollback: the records go back to what they were before the group.</summary>
    public void Revert()
    {
        foreach (var (device, before) in _evaluatedBefore)
        {
            if (before is null)
            {
                _evaluated.Remove(device);
            }
            else if (_evaluated.TryGetValue(device, out var live))
            {
                before.CopyTo(live); // copied back, not swapped in: the copy is reused by the next group
            }
            else
            {
                var restored = new EvaluatedSequences();
                before.CopyTo(restored);
                _evaluated[device] = restored;
            }
        }
    }

    /// <summary>In the group's transaction: the records it changed are written with the next routine write.</summary>
    public void NoteChanges()
    {
        foreach (var device in _evaluatedBefore.Keys)
        {
            _lazySequences.Add(device);
        }
    }

    /// <summary>With the routine states: the records changed since the last write.</summary>
    public void WriteChanged(AlertStore store)
    {
        foreach (var device in _lazySequences)
        {
            if (_evaluated.TryGetValue(device, out var seen) && seen.Changed)
            {
                store.SaveEvaluatedSequences(_siteOf.GetValueOrDefault(device, string.Empty), device, seen);
            }
        }

        _lazySequences.Clear();
    }

    /// <summary>
    /// Another gateway may have evaluated these devices meanwhile (a lease changed hands): the
    /// records become what the store holds. Nothing unwritten is lost: a shared store writes the
    /// records in every group.
    /// </summary>
    public void Replace(Dictionary<string, EvaluatedSequences> stored)
    {
        _evaluated.Clear();
        foreach (var (device, seen) in stored)
        {
            _evaluated[device] = seen;
        }

        _lazySequences.Clear();
        _evaluatedBefore.Clear();
    }

    /// <summary>A group committed: its duplicates count as skipped.</summary>
    public void Commit() => Interlocked.Add(ref _skipped, _groupDuplicates);

    /// <summary>At a group's end (committed or reverted): nothing to restore any more.</summary>
    public void EndGroup()
    {
        _evaluatedBefore.Clear();
        _groupDuplicates = 0;
    }

    /// <summary>A copy of the device's record (tests).</summary>
    public EvaluatedSequences? Snapshot(string device) => _evaluated.TryGetValue(device, out var seen) ? seen.Clone() : null;
}
