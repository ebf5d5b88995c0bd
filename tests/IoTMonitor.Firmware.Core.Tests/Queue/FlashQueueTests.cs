using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Queue;
using IoTMonitor.Firmware.Core.Tests.Fakes;

namespace IoTMonitor.Firmware.Core.Tests.Queue;

public class FlashQueueTests
{
    private static Reading R(int seq, double value = 1.5) => new()
    {
        Seq = seq,
        Time = 1_764_316_800 + seq,
        Quantity = Quantities.WaterTemp,
        Value = value,
        Flags = seq % 3,
        Raw = seq * 0.1,
        HasRaw = seq % 2 == 0,
    };

    private static FlashQueue Open(FakeBlockStore store)
    {
        var q = new FlashQueue(store);
        q.Open();
        return q;
    }

    private static List<int> Drain(FlashQueue q)
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

    [Fact]
    public void Round_trips_readings_oldest_first_across_reopen()
    {
        var store = new FakeBlockStore(4096);
        var q = Open(store);
        for (int i = 1; i <= 10; i++)
        {
            var r = R(i);
            q.Append(ref r, boot: 7);
        }

        var q2 = Open(FakeBlockStore.Over(store.Data));
        Assert.Equal(10, q2.Count);
        var buf = new Reading[20];
        int n = q2.BeginBatch(buf, 20, out int boot);
        Assert.Equal(10, n);
        Assert.Equal(7, boot);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(R(i + 1), buf[i]);
        }
    }

    [Fact]
    public void Nothing_leaves_before_commit_and_commit_is_durable()
    {
        var store = new FakeBlockStore(4096);
        var q = Open(store);
        for (int i = 1; i <= 5; i++)
        {
            var r = R(i);
            q.Append(ref r, 1);
        }

        var buf = new Reading[10];
        Assert.Equal(5, q.BeginBatch(buf, 3 + 2, out _));
        // No PUBACK: a new batch starts again from the oldest.
        Assert.Equal(5, q.BeginBatch(buf, 10, out _));
        q.Commit(3);
        Assert.Equal(2, q.Count);
        Assert.Equal([4, 5], Drain(Open(FakeBlockStore.Over(store.Data))));
    }

    [Fact]
    public void A_batch_holds_one_boot()
    {
        var q = Open(new FakeBlockStore(4096));
        for (int i = 1; i <= 6; i++)
        {
            var r = R(i);
            q.Append(ref r, i <= 4 ? 1 : 2);
        }

        var buf = new Reading[10];
        Assert.Equal(4, q.BeginBatch(buf, 10, out int boot));
        Assert.Equal(1, boot);
        q.Commit(4);
        Assert.Equal(2, q.BeginBatch(buf, 10, out boot));
        Assert.Equal(2, boot);
    }

    [Fact]
    public void Full_queue_drops_oldest_and_counts_it()
    {
        var store = new FakeBlockStore(40 + (11 * 48));
        var q = Open(store);
        Assert.Equal(10, q.Capacity);
        for (int i = 1; i <= 25; i++)
        {
            var r = R(i);
            q.Append(ref r, 1);
        }

        Assert.Equal(10, q.Count);
        Assert.Equal(15, q.Dropped);
        var reopened = FakeBlockStore.Over(store.Data);
        var q2 = Open(reopened);
        Assert.Equal(15, q2.Dropped);
        Assert.Equal(Enumerable.Range(16, 10), Drain(q2));
        Assert.Equal(15, q2.Dropped);
        q2.ResetDropped();
        Assert.Equal(0, q2.Dropped);
        Assert.Equal(0, Open(FakeBlockStore.Over(reopened.Data)).Dropped);
    }

    [Fact]
    public void Clear_empties_without_counting_drops()
    {
        var store = new FakeBlockStore(4096);
        var q = Open(store);
        var r = R(1);
        q.Append(ref r, 1);
        q.Clear();
        Assert.Equal(0, q.Count);
        Assert.Equal(0, q.Dropped);
        Assert.Equal(0, Open(FakeBlockStore.Over(store.Data)).Count);
    }

    [Fact]
    public void Corrupt_bytes_anywhere_never_yield_a_wrong_reading()
    {
        var store = new FakeBlockStore(2048);
        var q = Open(store);
        for (int i = 1; i <= 30; i++)
        {
            var r = R(i);
            q.Append(ref r, 1);
        }

        var rnd = new Random(42);
        for (int trial = 0; trial < 2000; trial++)
        {
            var data = (byte[])store.Data.Clone();
            data[rnd.Next(data.Length)] ^= (byte)(1 << rnd.Next(8));
            var seqs = Drain(Open(FakeBlockStore.Over(data)));
            // Every reading that comes out is one that went in, in order, unchanged.
            Assert.All(seqs, s => Assert.InRange(s, 1, 30));
            Assert.Equal(seqs.Order(), seqs);
        }
    }
}
