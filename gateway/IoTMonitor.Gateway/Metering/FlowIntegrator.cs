namespace IoTMonitor.Gateway.Metering;

/// <summary>One discharge at a sampling time; <see cref="Flow"/> null when the rating gave none.</summary>
public readonly record struct FlowSample(long T, double? Flow, bool Flagged);

/// <summary>
/// Volume from discharges: the trapezoid rule between consecutive samples no more than
/// <c>maxGap</c> apart, each segment cut at period boundaries (the discharge interpolated linearly
/// there), so the periods' volumes add up to the volume of the whole range exactly. A longer gap, or a
/// sample without a discharge, is not bridged: its seconds are gap seconds, stated beside the volume.
/// Samples may come in any order and twice (a resend, a late backlog): they are sorted by time and a
/// time seen twice counts once, as InfluxDB stores it (protocol §9).
/// </summary>
public static class FlowIntegrator
{
    public static List<PeriodVolume> Integrate(IEnumerable<FlowSample> samples, IReadOnlyList<(long Start, long End)> periods, long maxGapSeconds)
    {
        var sorted = Distinct(samples);
        var result = new List<PeriodVolume>(periods.Count);
        foreach (var (start, end) in periods)
        {
            double volume = 0;
            long covered = 0, flagged = 0;
            // segments [a, b] overlapping [start, end)
            var i = Math.Max(0, LowerBound(sorted, start, s => s.T) - 1);
            for (; i + 1 < sorted.Count && sorted[i].T < end; i++)
            {
                var a = sorted[i];
                var b = sorted[i + 1];
                if (a.Flow is not { } qa || b.Flow is not { } qb || b.T - a.T > maxGapSeconds)
                {
                    continue;
                }

                var lo = Math.Max(a.T, start);
                var hi = Math.Min(b.T, end);
                if (hi <= lo)
                {
                    continue;
                }

                double At(long t) => qa + ((qb - qa) * (t - a.T) / (b.T - a.T));
                volume += (At(lo) + At(hi)) / 2 * (hi - lo);
                covered += hi - lo;
                if (a.Flagged || b.Flagged)
                {
                    flagged += hi - lo;
                }
            }

            var readings = LowerBound(sorted, end, s => s.T) - LowerBound(sorted, start, s => s.T);
            result.Add(new PeriodVolume(start, end, volume, covered, end - start - covered, flagged, 0, 0, readings));
        }

        return result;
    }

    private static List<FlowSample> Distinct(IEnumerable<FlowSample> samples)
    {
        var byTime = new SortedDictionary<long, FlowSample>();
        foreach (var s in samples)
        {
            byTime[s.T] = s;
        }

        return [.. byTime.Values];
    }

    internal static int LowerBound<T>(List<T> sorted, long t, Func<T, long> time)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (time(sorted[mid]) < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
