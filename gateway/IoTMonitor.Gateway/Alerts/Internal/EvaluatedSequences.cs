using System.Text.Json;

namespace IoTMonitor.Gateway.Alerts.Internal;

/// <summary>
/// The readings of one device the engine has already evaluated, as <c>(boot, n)</c> (docs/protocol.md
/// §3): per boot, sorted disjoint ranges of sequence numbers. A node numbers its readings 1, 2, 3, …
/// and uploads its backlog oldest first, so a boot is nearly always one range; out-of-order resends
/// add a few more.
/// <para>
/// Bounded, and biased toward evaluating: what it cannot place or has forgotten counts as not
/// evaluated, because a redelivery evaluated twice costs a miscounted repeat while a reading wrongly
/// taken for a duplicate could hide an alert. It keeps the newest <see cref="MaxBoots"/> boots (a
/// resend of the previous boot may arrive after the new boot's first batch); a boot older than all of
/// them is not tracked. Past <see cref="MaxRanges"/> ranges in a boot it forgets the lowest range.
/// </para>
/// </summary>
internal sealed class EvaluatedSequences
{
    internal const int MaxBoots = 2;
    internal const int MaxRanges = 64;

    private readonly List<(long Boot, List<(long From, long To)> Ranges)> _boots = new(MaxBoots);

    /// <summary>Changed since it was last stored.</summary>
    public bool Changed { get; private set; }

    /// <summary>Stored as written (the store calls it).</summary>
    public void Saved() => Changed = false;

    /// <summary>Records reading <paramref name="n"/> of <paramref name="boot"/>; false when it was recorded before.</summary>
    public bool Add(long boot, long n)
    {
        if (boot < 0 || n < 1 || RangesOf(boot) is not { } ranges)
        {
            return true; // no identity (or a boot older than every tracked one): evaluate, as before
        }

        // the last range starting at or below n
        int lo = 0, hi = ranges.Count - 1, at = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[mid].From <= n)
            {
                at = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (at >= 0 && ranges[at].To >= n)
        {
            return false;
        }

        Changed = true;
        var extendsLeft = at >= 0 && ranges[at].To == n - 1;
        var extendsRight = at + 1 < ranges.Count && ranges[at + 1].From == n + 1;
        if (extendsLeft && extendsRight)
        {
            ranges[at] = (ranges[at].From, ranges[at + 1].To);
            ranges.RemoveAt(at + 1);
        }
        else if (extendsLeft)
        {
            ranges[at] = (ranges[at].From, n);
        }
        else if (extendsRight)
        {
            ranges[at + 1] = (n, ranges[at + 1].To);
        }
        else
        {
            ranges.Insert(at + 1, (n, n));
            if (ranges.Count > MaxRanges)
            {
                ranges.RemoveAt(0);
            }
        }

        return true;
    }

    /// <summary>
    /// Makes <paramref name="target"/> equal to this record, reusing its lists: the engine keeps one
    /// such copy per device for a rollback and refreshes it once per group, which must not allocate.
    /// </summary>
    public void CopyTo(EvaluatedSequences target)
    {
        target.Changed = Changed;
        for (var i = 0; i < _boots.Count; i++)
        {
            var (boot, ranges) = _boots[i];
            if (i < target._boots.Count)
            {
                var into = target._boots[i].Ranges;
                into.Clear();
                into.AddRange(ranges);
                target._boots[i] = (boot, into);
            }
            else
            {
                target._boots.Add((boot, new List<(long From, long To)>(ranges)));
            }
        }

        if (target._boots.Count > _boots.Count)
        {
            target._boots.RemoveRange(_boots.Count, target._boots.Count - _boots.Count);
        }
    }

    /// <summary>A copy (for tests: the engine's own rollback copies use <see cref="CopyTo"/>).</summary>
    public EvaluatedSequences Clone()
    {
        var copy = new EvaluatedSequences { Changed = Changed };
        foreach (var (boot, ranges) in _boots)
        {
            copy._boots.Add((boot, new List<(long From, long To)>(ranges)));
        }

        return copy;
    }

    /// <summary>Stored form: per boot <c>[boot, from, to, from, to, …]</c>.</summary>
    public string ToJson() =>
        JsonSerializer.Serialize(_boots.Select(b => (long[])[b.Boot, .. b.Ranges.SelectMany(r => (long[])[r.From, r.To])]).ToArray());

    public static EvaluatedSequences FromJson(string json)
    {
        var seen = new EvaluatedSequences();
        foreach (var boot in JsonSerializer.Deserialize<long[][]>(json) ?? [])
        {
            var ranges = new List<(long From, long To)>((boot.Length - 1) / 2);
            for (var i = 1; i + 1 < boot.Length; i += 2)
            {
                ranges.Add((boot[i], boot[i + 1]));
            }

            if (seen._boots.Count < MaxBoots)
            {
                seen._boots.Add((boot[0], ranges));
            }
        }

        return seen;
    }

    /// <summary>Ranges per tracked boot, lowest first (tests).</summary>
    internal IReadOnlyList<(long Boot, (long From, long To)[] Ranges)> Snapshot() =>
        [.. _boots.OrderBy(b => b.Boot).Select(b => (b.Boot, b.Ranges.ToArray()))];

    private List<(long From, long To)>? RangesOf(long boot)
    {
        var lowest = -1;
        for (var i = 0; i < _boots.Count; i++)
        {
            if (_boots[i].Boot == boot)
            {
                return _boots[i].Ranges;
            }

            if (lowest < 0 || _boots[i].Boot < _boots[lowest].Boot)
            {
                lowest = i;
            }
        }

        if (_boots.Count < MaxBoots)
        {
            _boots.Add((boot, []));
            return _boots[^1].Ranges;
        }

        if (boot < _boots[lowest].Boot)
        {
            return null;
        }

        // a newer boot: the oldest one is forgotten (its resends are evaluated again)
        _boots[lowest] = (boot, []);
        return _boots[lowest].Ranges;
    }
}
