using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Queue;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Core.Tests.Queue;

/// <summary>
/// Cuts the power at every program step (each byte written, each metadata commit) of a workload of
/// wakes on the LittleFS model — appends, persists, acknowledgements, segment deletes, drops —
/// then boots again and checks: the queue holds one contiguous, ordered run of unchanged
/// readings; every persisted reading after it... is in it; every reading before it is
/// acknowledged or counted as dropped, and none is counted twice.
/// </summary>
public class FlashQueuePowerCutTests
{
    private sealed class Truth
    {
        public int Persisted { get; set; }   // readings 1..Persisted are committed (Persist returned)

        public int Released { get; set; }    // readings acknowledged (Commit returned)

        public int InFlight { get; set; }    // readings of a Commit that had started
    }

    private static void Workload(LittleFsVolume v, Truth truth, int wakes, int budget)
    {
        var buf = new Reading[ProtocolLimits.MaxReadings];
        int seq = 0;
        for (int wake = 0; wake < wakes; wake++)
        {
            v.Reset(); // deep sleep
            var q = new FlashQueue(new ModelFileStore(v), budget);
            q.Open();
            for (int i = 0; i < 6; i++)
            {
                seq++;
                var r = FlashQueueTests.R(seq, seq / 10.0);
                q.Append(ref r, 1);
            }

            q.Persist();
            truth.Persisted = seq;
            if (wake % 3 == 2)
            {
                int n = q.BeginBatch(buf, 8, out _);
                truth.InFlight = n;
                q.Commit(n);
                truth.Released += n;
                truth.InFlight = 0;
            }
        }
    }

    [Theory]
    [InlineData(12, 8 * FlashQueue.SegmentBytes, 1)]    // appends, acks, segment deletes: every step
    [InlineData(90, 2 * FlashQueue.SegmentBytes, 11)]   // drop-oldest at the budget: every 11th step
    public void Survives_a_power_cut_at_every_step(int wakes, int budget, int stride)
    {
        var probe = new LittleFsVolume();
        Workload(probe, new Truth(), wakes, budget);
        long total = probe.Steps;
        Assert.True(total > 1500, $"{total} steps");

        for (long cut = 0; cut <= total; cut += stride)
        {
            var v = new LittleFsVolume { CutAfterSteps = cut };
            var truth = new Truth();
            try
            {
                Workload(v, truth, wakes, budget);
            }
            catch (PowerCutException)
            {
            }

            var q = FlashQueueTests.Boot(v, budget);
            int dropped = q.Dropped;
            var got = new List<Reading>();
            var buf = new Reading[ProtocolLimits.MaxReadings];
            int n;
            while ((n = q.BeginBatch(buf, 50, out _)) > 0)
            {
                got.AddRange(buf.Take(n));
                q.Commit(n);
            }

            foreach (var r in got)
            {
                Assert.Equal(FlashQueueTests.R(r.Seq, r.Seq / 10.0), r);
            }

            var seqs = got.Select(r => r.Seq).ToList();
            int first = seqs.Count > 0 ? seqs[0] : truth.Persisted + 1;
            Assert.True(seqs.SequenceEqual(Enumerable.Range(first, seqs.Count)), $"cut {cut}: not one ordered run: [{string.Join(',', seqs)}]");
            Assert.True(seqs.Count == 0 || seqs[^1] >= truth.Persisted, $"cut {cut}: persisted up to {truth.Persisted}, queue ends at {seqs[^1]}");
            Assert.True(seqs.Count == 0 || seqs[^1] <= truth.Persisted + 6, $"cut {cut}: {seqs[^1]} never appended");

            // Readings before the run: acknowledged or counted as dropped, none counted twice.
            int before = first - 1;
            Assert.True(dropped <= before - truth.Released, $"cut {cut}: {dropped} dropped but only {before - truth.Released} unacknowledged readings left the queue");
            Assert.True(dropped >= before - truth.Released - truth.InFlight, $"cut {cut}: {before} left the queue, {truth.Released} acknowledged, only {dropped} counted as dropped");
        }
    }
}
