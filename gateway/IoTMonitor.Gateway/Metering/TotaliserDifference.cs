namespace IoTMonitor.Gateway.Metering;

/// <summary>One reading of a meter's totaliser (m³) at its sampling time.</summary>
public readonly record struct TotaliserSample(long T, double Total, bool Flagged);

/// <summary>
/// Volume from a flow meter's own totaliser (protocol §8 "Flow"): the difference between consecutive
/// readings in sampling-time order, whatever the node's boots — the meter kept counting through them
/// and through any lost message, so the volume between two stored readings is exact however far apart
/// they are. A fall with a known roll-over (<c>rollover</c>, the count at which the meter's register
/// wraps to 0) from its upper half to its lower half is a wrap: the step's volume is
/// rollover − before + after, exact, and the wrap is counted. Any other fall is a reset: the volume of
/// that step is the new reading (counted from 0, never negative), the fall is counted, and the step's
/// seconds are a gap — what flowed between the last reading and the reset was never read. A difference is shared between the
/// periods it spans in proportion to time; when the two readings are more than <c>maxGap</c> apart
/// that share is an estimate and its seconds are stated as interpolated. Any order, duplicates once.
/// </summary>
public static class TotaliserDifference
{
    public static List<PeriodVolume> Volumes(IEnumerable<TotaliserSample> samples, IReadOnlyList<(long Start, long End)> periods, long maxGapSeconds, double? rollover = null)
    {
        var byTime = new SortedDictionary<long, TotaliserSample>();
        foreach (var s in samples)
        {
            byTime[s.T] = s;
        }

        var sorted = byTime.Values.ToList();
        var result = new List<PeriodVolume>(periods.Count);
        foreach (var (start, end) in periods)
        {
            double volume = 0;
            long covered = 0, flagged = 0, interpolated = 0;
            int resets = 0, wraps = 0;
            var i = Math.Max(0, FlowIntegrator.LowerBound(sorted, start, s => s.T) - 1);
            for (; i + 1 < sorted.Count && sorted[i].T < end; i++)
            {
                var a = sorted[i];
                var b = sorted[i + 1];
                var lo = Math.Max(a.T, start);
                var hi = Math.Min(b.T, end);
                if (hi <= lo)
                {
                    continue;
                }

                var wrapped = b.Total < a.Total && rollover is { } r && a.Total >= r / 2 && b.Total < r / 2;
                var fell = b.Total < a.Total && !wrapped;
                var increment = wrapped ? rollover!.Value - a.Total + b.Total : fell ? b.Total : b.Total - a.Total;
                // counted with the segment that ends at the fall: a fall read exactly at a period's start belongs to the period before
                if (b.T <= end)
                {
                    wraps += wrapped ? 1 : 0;
                    resets += fell ? 1 : 0;
                }

                volume += increment * (hi - lo) / (b.T - a.T);
                if (fell)
                {
                    // what flowed between the last reading and the reset was never read: a gap
                    continue;
                }

                if (b.T - a.T <= maxGapSeconds)
                {
                    covered += hi - lo;
                }
                else
                {
                    interpolated += hi - lo;
                }

                if (a.Flagged || b.Flagged)
                {
                    flagged += hi - lo;
                }
            }

            var readings = FlowIntegrator.LowerBound(sorted, end, s => s.T) - FlowIntegrator.LowerBound(sorted, start, s => s.T);
            result.Add(new PeriodVolume(start, end, volume, covered, end - start - covered - interpolated, flagged, interpolated, resets, readings, wraps));
        }

        return result;
    }
}
