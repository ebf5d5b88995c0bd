using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Queue;
using IoTMonitor.Firmware.Host.Storage;

namespace IoTMonitor.Firmware.Host.Tests.Storage;

/// <summary>The virtual node's file-backed flash (iotmon simulate --flash-files).</summary>
public sealed class DirectoryFileStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "iotmon-dfs-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Queue_and_state_survive_a_new_process_and_a_leftover_temp_file_is_removed()
    {
        var files = new DirectoryFileStore(_dir);
        var queue = new FlashQueue(files, 8 * FlashQueue.SegmentBytes);
        queue.Open();
        for (int i = 1; i <= 5; i++)
        {
            var r = new Reading { Seq = i, Time = 1_764_316_800, Quantity = Quantities.WaterTemp, Value = i };
            queue.Append(ref r, 2);
        }

        queue.Persist();
        var state = new NodeState(files) { Boot = 2, NextSeq = 6 };
        state.Save();

        // A process killed inside Replace leaves its temporary file behind.
        File.WriteAllBytes(Path.Combine(_dir, "state.b.tmp"), [1, 2, 3]);

        var reopened = new DirectoryFileStore(_dir);
        Assert.False(File.Exists(Path.Combine(_dir, "state.b.tmp")));
        var s2 = new NodeState(reopened);
        Assert.True(s2.Load());
        Assert.Equal(6, s2.NextSeq);
        var q2 = new FlashQueue(reopened, 8 * FlashQueue.SegmentBytes);
        q2.Open();
        var buf = new Reading[10];
        Assert.Equal(5, q2.BeginBatch(buf, 10, out int boot));
        Assert.Equal(2, boot);
        Assert.Equal([1.0, 2, 3, 4, 5], buf[..5].Select(r => r.Value));
    }

    [Fact]
    public void A_torn_tail_is_ignored_and_the_next_append_starts_a_new_segment()
    {
        var files = new DirectoryFileStore(_dir);
        var queue = new FlashQueue(files, 8 * FlashQueue.SegmentBytes);
        queue.Open();
        for (int i = 1; i <= 4; i++)
        {
            var r = new Reading { Seq = i, Time = 1_764_316_800, Quantity = Quantities.WaterTemp, Value = i };
            queue.Append(ref r, 1);
            queue.Persist();
        }

        // Plain files are not atomic: a crash mid-append can leave half a record.
        var seg = Path.Combine(_dir, FlashQueue.SegmentName(0));
        var bytes = File.ReadAllBytes(seg);
        File.WriteAllBytes(seg, bytes[..^10]);

        var q2 = new FlashQueue(new DirectoryFileStore(_dir), 8 * FlashQueue.SegmentBytes);
        q2.Open();
        Assert.Equal(3, q2.Count);
        var r5 = new Reading { Seq = 5, Time = 1_764_316_800, Quantity = Quantities.WaterTemp, Value = 5 };
        q2.Append(ref r5, 1);
        q2.Persist();
        Assert.Equal(2, Directory.GetFiles(_dir, "*.seg").Length);
        var buf = new Reading[10];
        int n = q2.BeginBatch(buf, 10, out _);
        Assert.Equal([1, 2, 3, 5], buf[..n].Select(r => r.Seq));
    }
}
