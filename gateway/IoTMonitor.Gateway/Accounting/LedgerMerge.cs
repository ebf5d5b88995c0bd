namespace IoTMonitor.Gateway.Accounting;

/// <summary>
/// Joins two views of one device's ledger, as two gateway replicas each see part of its readings (a
/// shared MQTT subscription hands each reading to one replica). A sequence number of the newer boot is
/// missing only if neither view has it: each view has seen <c>1…highest</c> except its gaps, so the
/// joined gaps are the numbers up to the larger highest that both views miss. Counts add up: each
/// view's readings and duplicates not yet in the shared state are added once (what the caller says was
/// already accounted is not added again). Last seen, battery, RSSI and drops come from the later report.
/// </summary>
public static class LedgerMerge
{
    /// <param name="shared">the state both replicas read (the database row, or what this replica pulled)</param>
    /// <param name="local">this replica's state</param>
    /// <param name="readingsAccounted">how many of <paramref name="local"/>'s readings are already in <paramref name="shared"/></param>
    /// <param name="duplicatesAccounted">how many of its duplicates are</param>
    public static DeviceLedgerState Combine(DeviceLedgerState shared, DeviceLedgerState local, long readingsAccounted, long duplicatesAccounted)
    {
        long boot, highest;
        SequenceGap[] gaps;
        if (shared.Boot > local.Boot)
        {
            (boot, highest, gaps) = (shared.Boot, shared.HighestSequence, shared.Gaps);
        }
        else if (local.Boot > shared.Boot)
        {
            (boot, highest, gaps) = (local.Boot, local.HighestSequence, local.Gaps);
        }
        else
        {
            boot = shared.Boot;
            highest = Math.Max(shared.HighestSequence, local.HighestSequence);
            gaps = Intersect(Missing(shared, highest), Missing(local, highest));
        }

        if (gaps.Length > DeviceLedger.MaxGaps)
        {
            gaps = gaps[^DeviceLedger.MaxGaps..];
        }

        var latest = local.LastSeen > shared.LastSeen ? local : shared;
        return new DeviceLedgerState(
            shared.Site,
            shared.Device,
            latest.LastSeen,
            boot,
            highest,
            shared.Duplicates + (local.Duplicates - duplicatesAccounted),
            shared.Readings + (local.Readings - readingsAccounted),
            latest.Battery,
            latest.Rssi,
            latest.DroppedByDevice,
            gaps);
    }

    /// <summary>What a view has not seen of <c>1…highest</c>: its gaps and everything above its own highest.</summary>
    private static List<SequenceGap> Missing(DeviceLedgerState view, long highest)
    {
        var missing = view.Gaps.OrderBy(g => g.From).ToList();
        if (highest > view.HighestSequence)
        {
            missing.Add(new SequenceGap(view.HighestSequence + 1, highest));
        }

        return missing;
    }

    private static SequenceGap[] Intersect(List<SequenceGap> a, List<SequenceGap> b)
    {
        var result = new List<SequenceGap>();
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            var from = Math.Max(a[i].From, b[j].From);
            var to = Math.Min(a[i].To, b[j].To);
            if (from <= to)
            {
                result.Add(new SequenceGap(from, to));
            }

            if (a[i].To < b[j].To)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return result.ToArray();
    }
}
