using IoTMonitor.Gateway.Alerts.Internal;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

/// <summary>The engine's record of evaluated (boot, n): compact, exact, and never taking a new reading for a duplicate.</summary>
public sealed class EvaluatedSequencesTests
{
    [Fact]
    public void Readings_in_order_are_new_once_and_kept_as_one_range()
    {
        var seen = new EvaluatedSequences();
        for (var n = 1; n <= 1000; n++)
        {
            Assert.True(seen.Add(boot: 4, n));
        }

        Assert.False(seen.Add(4, 1));
        Assert.False(seen.Add(4, 500));
        Assert.False(seen.Add(4, 1000));
        var (boot, ranges) = Assert.Single(seen.Snapshot());
        Assert.Equal(4, boot);
        Assert.Equal([(1L, 1000L)], ranges);
    }

    [Fact]
    public void A_backlog_interleaved_with_a_resend_is_new_exactly_where_it_was_not_seen()
    {
        var seen = new EvaluatedSequences();
        Assert.True(seen.Add(3, 5));
        Assert.True(seen.Add(3, 6));
        Assert.True(seen.Add(3, 1)); // the flash backlog, oldest first
        Assert.False(seen.Add(3, 5)); // a resend of the live batch, between the backlog's batches
        Assert.True(seen.Add(3, 2));
        Assert.False(seen.Add(3, 6));
        Assert.True(seen.Add(3, 4));
        Assert.True(seen.Add(3, 3)); // fills the last hole: the ranges merge
        Assert.False(seen.Add(3, 3));

        Assert.Equal([(1L, 6L)], Assert.Single(seen.Snapshot()).Ranges);
    }

    [Fact]
    public void A_new_boot_restarting_its_numbers_is_new_and_the_previous_boot_is_still_recognised()
    {
        var seen = new EvaluatedSequences();
        Assert.True(seen.Add(7, 1));
        Assert.True(seen.Add(7, 2));
        Assert.True(seen.Add(8, 1)); // reboot: n restarts at 1
        Assert.True(seen.Add(8, 2));
        Assert.False(seen.Add(7, 2)); // a late resend of the previous boot
        Assert.False(seen.Add(8, 1));

        Assert.True(seen.Add(9, 1)); // a third boot: the oldest is forgotten
        Assert.Equal([8L, 9L], seen.Snapshot().Select(b => b.Boot).ToArray());

        // a boot older than every tracked one cannot be placed: evaluated every time, never taken for a duplicate
        Assert.True(seen.Add(7, 2));
        Assert.True(seen.Add(7, 2));
    }

    [Fact]
    public void Past_its_range_limit_it_forgets_the_lowest_range_so_a_forgotten_reading_counts_as_new()
    {
        var seen = new EvaluatedSequences();
        for (var i = 0; i <= EvaluatedSequences.MaxRanges; i++)
        {
            Assert.True(seen.Add(1, 1 + (2 * i))); // 1, 3, 5, …: a range each
        }

        var ranges = Assert.Single(seen.Snapshot()).Ranges;
        Assert.Equal(EvaluatedSequences.MaxRanges, ranges.Length);
        Assert.Equal((3L, 3L), ranges[0]);
        Assert.True(seen.Add(1, 1)); // forgotten: evaluated again rather than hidden
        Assert.False(seen.Add(1, 3));
    }

    [Fact]
    public void Readings_without_a_sequence_identity_are_always_new()
    {
        var seen = new EvaluatedSequences();
        Assert.True(seen.Add(boot: -1, 5));
        Assert.True(seen.Add(boot: -1, 5));
        Assert.True(seen.Add(boot: 2, 0));
        Assert.True(seen.Add(boot: 2, 0));
    }

    [Fact]
    public void The_stored_form_gives_back_the_same_record_and_only_a_new_reading_marks_it_changed()
    {
        var seen = new EvaluatedSequences();
        seen.Add(7, 1);
        seen.Add(7, 2);
        seen.Add(7, 9);
        seen.Add(8, 1);
        Assert.True(seen.Changed);
        seen.Saved();
        Assert.False(seen.Add(7, 9));
        Assert.False(seen.Changed); // a duplicate changes nothing to write

        var loaded = EvaluatedSequences.FromJson(seen.ToJson());
        Assert.Equal("[[7,1,2,9,9],[8,1,1]]", seen.ToJson());
        Assert.Equal(seen.ToJson(), loaded.ToJson());
        Assert.False(loaded.Add(7, 2));
        Assert.True(loaded.Add(7, 3));
        Assert.True(loaded.Changed);
    }

    [Fact]
    public void A_clone_is_independent_of_the_original()
    {
        var seen = new EvaluatedSequences();
        seen.Add(1, 1);
        var copy = seen.Clone();
        Assert.True(seen.Add(1, 2));
        Assert.True(copy.Add(1, 2));
        Assert.False(copy.Add(1, 1));
    }

    [Fact]
    public void A_rollback_copy_is_refreshed_in_place_and_stays_independent_of_the_record()
    {
        var seen = new EvaluatedSequences();
        var copy = new EvaluatedSequences();
        Assert.True(seen.Add(7, 1));
        Assert.True(seen.Add(8, 1));
        Assert.True(seen.Add(8, 5));
        seen.CopyTo(copy);
        Assert.Equal(Show(seen), Show(copy));

        // the record moves on; the copy still says what it was, and a later refresh shrinks it to fit
        Assert.True(seen.Add(8, 2));
        Assert.False(copy.Add(8, 5));
        var fresh = new EvaluatedSequences();
        Assert.True(fresh.Add(9, 3));
        fresh.CopyTo(copy);
        Assert.Equal(Show(fresh), Show(copy));
        Assert.True(copy.Add(9, 4));
        Assert.True(fresh.Add(9, 4)); // the copy's change did not reach the record
    }

    private static string Show(EvaluatedSequences s) => string.Join("; ", s.Snapshot().Select(b => $"{b.Boot}: {string.Join(", ", b.Ranges)}"));
}
