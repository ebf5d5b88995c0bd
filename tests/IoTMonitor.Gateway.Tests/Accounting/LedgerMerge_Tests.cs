using IoTMonitor.Gateway.Accounting;

namespace IoTMonitor.Gateway.Tests.Accounting;

/// <summary>Joining two replicas' views of one device (pure logic, <see cref="LedgerMerge"/>).</summary>
public sealed class LedgerMerge_Tests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Two_halves_of_one_stream_join_into_no_gap_and_a_number_both_missed_stays_a_gap()
    {
        // replica a got the odd numbers of 1..20, b the even ones; 14 reached neither
        var a = View(Observe(Enumerable.Range(1, 20).Where(n => n % 2 == 1)));
        var b = View(Observe(Enumerable.Range(1, 20).Where(n => n % 2 == 0 && n != 14)));
        Assert.NotEmpty(a.Gaps);
        Assert.NotEmpty(b.Gaps);

        var joined = LedgerMerge.Combine(b, a, 0, 0);

        Assert.Equal(20, joined.HighestSequence);
        Assert.Equal([new SequenceGap(14, 14)], joined.Gaps);
        Assert.Equal(19, joined.Readings);
        var otherWay = LedgerMerge.Combine(a, b, 0, 0);
        Assert.Equal(joined with { Gaps = [] }, otherWay with { Gaps = [] });
        Assert.Equal(joined.Gaps, otherWay.Gaps);
    }

    [Fact]
    public void Counts_already_in_the_shared_state_are_not_added_again_and_a_newer_boot_wins()
    {
        var shared = View(Observe([1, 2, 3]));
        var local = View(Observe([1, 2, 3, 4, 5]));

        var joined = LedgerMerge.Combine(shared, local, readingsAccounted: 3, duplicatesAccounted: 0);
        Assert.Equal(5, joined.Readings);
        Assert.Equal(5, joined.HighestSequence);
        Assert.Empty(joined.Gaps);

        var rebooted = new DeviceLedger("s", "d");
        rebooted.Observe(2, 1);
        rebooted.Observe(2, 4);
        var afterBoot = LedgerMerge.Combine(joined, rebooted.Snapshot().State, 0, 0);
        Assert.Equal(2, afterBoot.Boot);
        Assert.Equal(4, afterBoot.HighestSequence);
        Assert.Equal([new SequenceGap(2, 3)], afterBoot.Gaps); // the old boot's numbers say nothing about the new one
        Assert.Equal(7, afterBoot.Readings);
    }

    [Fact]
    public void Health_comes_from_the_later_report()
    {
        var early = new DeviceLedger("s", "d");
        early.Health(T0, 3.9, -70, 0);
        var late = new DeviceLedger("s", "d");
        late.Health(T0.AddMinutes(15), 3.7, -81, 2);

        var joined = LedgerMerge.Combine(late.Snapshot().State, early.Snapshot().State, 0, 0);

        Assert.Equal((T0.AddMinutes(15), 3.7, -81L, 2L), (joined.LastSeen, joined.Battery, joined.Rssi, joined.DroppedByDevice));
    }

    private static DeviceLedger Observe(IEnumerable<int> sequences)
    {
        var ledger = new DeviceLedger("s", "d");
        foreach (var n in sequences)
        {
            ledger.Observe(1, n);
        }

        return ledger;
    }

    private static DeviceLedgerState View(DeviceLedger ledger) => ledger.Snapshot().State;
}
