using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Queue;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Core.Tests.Queue;

/// <summary>The segment queue on the LittleFS model: each "boot" is a new FlashQueue after <see cref="LittleFsVolume.Reset"/>.</summary>
public class FlashQueueTests
{
    private const int Budget = 8 * FlashQueue.SegmentBytes;

    internal static Reading R(int seq, double value = 1.5) => new()
    {
        Seq = seq,
        Time = 1_764_316_800 + (seq * 900),
        Quantity = Quantities.WaterTemp,
        Value = value,
        Flags = seq % 3,
        Raw = seq % 2 == 0 ? seq * 0.1 : 0,
        HasRaw = seq % 2 == 0,
    };

    internal static FlashQueue Boot(LittleFsVolume v, int budget = Budget)
    {
        v.Reset();
        var q = new FlashQueue(new ModelFileStore(v), budget);
        q.Open();
        return q;
    }

    internal static List<int> Drain(FlashQueue q)
    {
        var seqs = new List<int>();
        var buf = new Reading[ProtocolLimits.MaxReadings];
        int n;
        while ((n = q.BeginBatch(buf, 50, out _)) > 0)
        {
            seqs.AddRange(buf.Take(n).Select(r => r.Seq));
            q.Commit(n);
        }

        return seqs;
    }

    private static void Append(FlashQueue q, int from, int to, int boot = 7)
    {
        for (int i = from; i <= to; i++)
        {
            var r = R(i);
            q.Append(ref r, boot);
        }
    }

    private static string[] Segments(LittleFsVolume v) => v.List().Where(n => n.EndsWith(".seg", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Round_trips_readings_oldest_first_across_a_reset()
    {
        var v = new LittleFsVolume();
        var q = Boot(v);
        Append(q, 1, 10);
        q.Persist();

        var q2 = Boot(v);
        Assert.Equal(10, q2.Count);
        var buf = new Reading[20];
        int n = q2.BeginBatch(buf, 20, out int boot);
        Assert.Equal(10, n);
        Assert.Equal(7, boot);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(R(i + 1), buf[i]);
        }

        Assert.Equal(7, q2.LastBoot);
        Assert.Equal(10, q2.LastSeq);
    }

    [Fact]
    public void Readings_are_durable_only_once_persisted()
    {
        var v = new LittleFsVolume();
        var q = Boot(v);
        Append(q, 1, 5);
        Assert.Equal(5, q.Count);
        Assert.Equal(5, q.PendingCount);
        Assert.Equal(0, Boot(v).Count); // reset before Persist: gone

        q = Boot(v);
        Append(q, 1, 5);
        q.Persist();
        Assert.Equal(0, q.PendingCount);
        Assert.Equal([1, 2, 3, 4, 5], Drain(Boot(v)));
    }

    [Fact]
    public void A_batch_is_persisted_before_it_is_handed_out()
    {
        var v = new LittleFsVolume();
        var q = Boot(v);
        Append(q, 1, 3);
        var buf = new Reading[10];
        Assert.Equal(3, q.BeginBatch(buf, 10, out _));
        Assert.Equal(3, Boot(v).Count);
    }

    [Fact]
    public void Nothing_leaves_before_commit_and_commit_is_durable()
    {
        var v = new LittleFsVolume();
        var q = Boot(v);
        Append(q, 1, 5);
        var buf = new Reading[10];
        Assert.Equal(5, q.BeginBatch(buf, 5, out _));
        Assert.Equal(5, q.BeginBatch(buf, 10, out _)); // no PUBACK: from the oldest again
        q.Commit(3);
        Assert.Equal(2, q.Count);
        Assert.Equal([4, 5], Drain(Boot(v)));
    }

    [Fact]
    public void A_batch_holds_one_boot()
    {
        var v = new LittleFsVolume();
        var q = Boot(v);
        Append(q, 1, 4, boot: 1);
        Append(q, 5, 6, boot: 2);
        var buf = new Reading[10];
        Assert.Equal(4, q.BeginBatch(buf, 10, out int boot));
        Assert.Equal(1, boot);
        q.Commit(4);
        Assert.Equal(2, q.BeginBatch(buf, 10, out boot));
        Assert.Equal(2, boot);
    }

    [Fact]
    public void Segments_are_appended_to_and_deleted_once_every_reading_is_acknowledged()
    {
        var v = new LittleFsVolume();
        for (int wake = 0; wake < 60; wake++)
        {
            var q = Boot(v);
            Append(q, (wake * 7) + 1, (wake * 7) + 7);
            var before = v.Counters.Snapshot();
            q.Persist();

            // One open-append-close per wake; at most the partial last block copied.
            Assert.Equal(1, v.Counters.Commits - before.Commits);
            Assert.InRange(v.Counters.BytesCopied - before.BytesCopied, 0, FlashQueue.SegmentBytes);
        }

        Assert.True(Segments(v).Length >= 3, string.Join(",", v.List()));
        var all = Drain(Boot(v));
        Assert.Equal(Enumerable.Range(1, 420), all);

        // Only the newest segment may stay (it still takes appends); it goes once full.
        Assert.InRange(Segments(v).Length, 0, 1);
        var q2 = Boot(v);
        Assert.Equal(0, q2.Count);
        Append(q2, 421, 421 + 300);
        q2.Persist();
        Assert.Equal(Enumerable.Range(421, 301), Drain(q2));
        Assert.InRange(Segments(v).Length, 0, 1);
    }

    [Fact]
    public void Reaching_the_budget_drops_the_oldest_segment_and_counts_its_readings()
    {
        var v = new LittleFsVolume();
        var q = Boot(v, budget: 2 * FlashQueue.SegmentBytes);
        int seq = 0;
        while (q.Dropped == 0)
        {
            Append(q, seq + 1, seq + 7);
            q.Persist();
            seq += 7;
            Assert.True(seq < 10_000);
        }

        Assert.InRange(Segments(v).Length, 1, 2);
        var q2 = Boot(v, budget: 2 * FlashQueue.SegmentBytes);
        int dropped = q2.Dropped;
        var left = Drain(q2);
        Assert.Equal(seq, dropped + left.Count);
        Assert.Equal(Enumerable.Range(dropped + 1, left.Count), left);
        Assert.Equal(dropped, q2.Dropped);
        q2.ResetDropped();
        Assert.Equal(0, Boot(v, budget: 2 * FlashQueue.SegmentBytes).Dropped);
    }

    [Fact]
    public void A_full_volume_drops_the_oldest_segment_on_IOException_and_counts_it()
    {
        // 10 blocks: 2 metadata, 1 filler; the budget (20 segments) is never the limit here.
        var v = new LittleFsVolume(LittleFsGeometry.Flash4Mb with { BlockCount = 10 });
        v.WriteAllBytes("filler", new byte[4096]);
        var q = Boot(v, budget: 20 * FlashQueue.SegmentBytes);
        int seq = 0;
        for (int wake = 0; wake < 300; wake++)
        {
            Append(q, seq + 1, seq + 7);
            q.Persist();
            seq += 7;
        }

        Assert.True(q.Dropped > 0);
        Assert.True(v.BlocksUsed <= 10);
        var q2 = Boot(v, budget: 20 * FlashQueue.SegmentBytes);
        var left = Drain(q2);
        Assert.Equal(seq, q2.Dropped + left.Count);
        Assert.Equal(Enumerable.Range(seq - left.Count + 1, left.Count), left);
    }

    [Fact]
    public void Clear_empties_without_counting_drops()
    {
        var v = new LittleFsVolume();
        var q = Boot(v);
        Append(q, 1, 30);
        q.Persist();
        Append(q, 31, 32);
        q.Clear();
        Assert.Equal(0, q.Count);
        Assert.Equal(0, q.Dropped);
        Assert.Empty(Segments(v));
        var q2 = Boot(v);
        Assert.Equal(0, q2.Count);
        Append(q2, 33, 34);
        Assert.Equal([33, 34], Drain(q2));
    }

    [Fact]
    public void An_empty_segment_left_by_a_cut_after_its_open_is_deleted_at_boot()
    {
        var v = new LittleFsVolume();
        var q = Boot(v);
        Append(q, 1, 3);
        q.Persist();
        using (var s = v.Open(FlashQueue.SegmentName(1000), FileMode.Create, FileAccess.Write))
        {
            s.Write(new byte[10], 0, 10);
            v.Reset(); // cut before close: committed empty
        }

        Assert.True(v.Exists(FlashQueue.SegmentName(1000)));
        var q2 = Boot(v);
        Assert.False(v.Exists(FlashQueue.SegmentName(1000)));
        Assert.Equal([1, 2, 3], Drain(q2));
    }

    [Fact]
    public void Corrupt_bytes_anywhere_never_yield_a_wrong_reading()
    {
        var v = new LittleFsVolume();
        var q = Boot(v);
        for (int wake = 0; wake < 10; wake++)
        {
            Append(q, (wake * 6) + 1, (wake * 6) + 6);
            q.Persist();
        }

        var rnd = new Random(42);
        var name = Segments(v).Single();
        int length = v.CommittedContent(name).Length;
        for (int trial = 0; trial < 500; trial++)
        {
            var c = v.CloneCommitted();
            c.DamageCommitted(name, rnd.Next(length), (byte)(1 << rnd.Next(8)));
            var seqs = Drain(Boot(c));
            Assert.All(seqs, s => Assert.InRange(s, 1, 60));
            Assert.Equal(seqs.Order(), seqs);
            var buf = new Reading[1];
            Assert.True(seqs.Count < 60, "a flipped bit went unnoticed");
        }
    }
}
