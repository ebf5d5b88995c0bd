using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Queue;
using IoTMonitor.Firmware.Core.Tests.Fakes;

namespace IoTMonitor.Firmware.Core.Tests.Queue;

/// <summary>
/// Issue 3.3: cut the power at every byte offset of a workload's writes, reopen, and check that
/// nothing committed (Append returned, not yet released) is lost, nothing is duplicated or
/// reordered, and every reading lost to drop-oldest is counted.
/// </summary>
public class FlashQueuePowerCutTests
{
    // Small ring (12 slots) so the workload wraps and exercises drop-oldest under power cuts.
    private const int StoreSize = 40 + (13 * 48);

    private sealed class Model
    {
        public List<int> Unreleased { get; } = [];
        public int Released { get; set; }
        public int Appended { get; set; }
    }

    /// <summary>Appends 40 readings, committing batches now and then; records what was acknowledged.</summary>
    private static void Workload(FakeBlockStore store, Model model)
    {
        var q = new FlashQueue(store);
        q.Open();
        var buf = new Reading[ProtocolLimits.MaxReadings];
        for (int seq = 1; seq <= 40; seq++)
        {
            var r = new Reading { Seq = seq, Time = seq, Quantity = Quantities.WaterPh, Value = seq / 10.0 };
            q.Append(ref r, 1);
            model.Appended = seq;
            model.Unreleased.Add(seq);
            if (model.Unreleased.Count > q.Capacity)
            {
                model.Unreleased.RemoveAt(0); // drop-oldest
            }

            if (seq % 7 == 0)
            {
                int n = q.BeginBatch(buf, 5, out _);
                q.Commit(n);
                model.Released += n;
                model.Unreleased.RemoveRange(0, n);
            }
        }
    }

    [Fact]
    public void Survives_a_power_cut_at_every_byte()
    {
        var full = new FakeBlockStore(StoreSize);
        Workload(full, new Model());
        long total = full.BytesWritten;
        Assert.True(total > 2000);

        for (long cut = 0; cut <= total; cut++)
        {
            var store = new FakeBlockStore(StoreSize) { CutAt = cut };
            var model = new Model();
            try
            {
                Workload(store, model);
            }
            catch (PowerCutException)
            {
            }

            var q = new FlashQueue(FakeBlockStore.Over(store.Data));
            q.Open();
            var got = new List<int>();
            var buf = new Reading[ProtocolLimits.MaxReadings];
            int n = q.BeginBatch(buf, 200, out _);
            got.AddRange(buf.Take(n).Select(r => r.Seq));
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(buf[i].Seq / 10.0, buf[i].Value);
            }

            // Committed and unreleased: all there.
            Assert.True(model.Unreleased.All(got.Contains), $"cut {cut}: lost one of [{string.Join(',', model.Unreleased)}], got [{string.Join(',', got)}]");
            // Ordered, no duplicates; extras only the append in flight or a batch whose release was cut.
            Assert.Equal(got.Order().Distinct(), got);
            Assert.All(got, s => Assert.InRange(s, 1, model.Appended + 1));
            // Every appended reading is either delivered, still queued or counted as dropped.
            int accounted = model.Released + got.Count(s => s <= model.Appended) + q.Dropped;
            Assert.True(accounted >= model.Appended, $"cut {cut}: {model.Appended} appended, {model.Released} released, {got.Count} queued, {q.Dropped} dropped");
        }
    }
}
