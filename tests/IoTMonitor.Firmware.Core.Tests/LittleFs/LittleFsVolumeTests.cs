using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Core.Tests.LittleFs;

/// <summary>The LittleFS model behaves as the reference's sources say (docs/references.md, "Flash storage").</summary>
public class LittleFsVolumeTests
{
    private static byte[] Bytes(int n, byte fill = 0x5A) => Enumerable.Repeat(fill, n).ToArray();

    [Fact]
    public void Writes_are_lost_at_a_reset_unless_the_file_was_closed_and_flush_does_not_help()
    {
        var v = new LittleFsVolume();
        v.WriteAllBytes("a", Bytes(100, 1));
        var s = v.Open("a", FileMode.Append, FileAccess.Write);
        s.Write(Bytes(50, 2), 0, 50);
        s.Flush();
        v.Reset();
        Assert.Equal(Bytes(100, 1), v.CommittedContent("a"));
        Assert.Throws<ObjectDisposedException>(() => s.Write(Bytes(1), 0, 1));

        using (var t = v.Open("a", FileMode.Append, FileAccess.Write))
        {
            t.Write(Bytes(50, 2), 0, 50);
        }

        v.Reset();
        Assert.Equal(150, v.CommittedContent("a").Length);
    }

    [Fact]
    public void A_new_file_is_committed_empty_at_open_and_a_truncation_only_at_close()
    {
        var v = new LittleFsVolume();
        var s = v.Open("new", FileMode.Create, FileAccess.Write);
        s.Write(Bytes(10), 0, 10);
        v.Reset();
        Assert.True(v.Exists("new"));
        Assert.Empty(v.CommittedContent("new"));

        v.WriteAllBytes("old", Bytes(700, 1));
        var t = v.Open("old", FileMode.Create, FileAccess.Write);
        t.Write(Bytes(20, 2), 0, 20);
        v.Reset();
        Assert.Equal(Bytes(700, 1), v.CommittedContent("old"));
    }

    [Fact]
    public void An_append_copies_only_the_partial_last_block()
    {
        var v = new LittleFsVolume();
        v.WriteAllBytes("seg", Bytes(5000));
        var before = v.Counters.Snapshot();
        using (var s = v.Open("seg", FileMode.Append, FileAccess.Write))
        {
            s.Write(Bytes(200), 0, 200);
        }

        Assert.Equal(5000 - 4096, v.Counters.BytesCopied - before.BytesCopied);
        Assert.Equal(1, v.Counters.Erases - before.Erases);
        Assert.Equal(1, v.Counters.Commits - before.Commits);
    }

    [Fact]
    public void A_write_inside_a_file_copies_from_its_block_to_the_end_at_every_commit()
    {
        // The reference's example: rewriting the header of a 100 KB file rewrites 100 KB (25 erases).
        var v = new LittleFsVolume();
        v.WriteAllBytes("big", Bytes(100 * 1024));
        var before = v.Counters.Snapshot();
        using (var s = v.Open("big", FileMode.Open, FileAccess.ReadWrite))
        {
            s.Write(Bytes(8), 0, 8);
        }

        Assert.Equal(100 * 1024, v.Counters.BytesCopied - before.BytesCopied);
        Assert.Equal(25, v.Counters.Erases - before.Erases);

        before = v.Counters.Snapshot();
        using (var s = v.Open("big", FileMode.Open, FileAccess.ReadWrite))
        {
            s.Position = 90_000;
            s.Write(Bytes(8), 0, 8);
        }

        Assert.Equal((100 * 1024) - (90_000 / 4096 * 4096), v.Counters.BytesCopied - before.BytesCopied);
    }

    [Fact]
    public void Every_open_even_for_reading_writes_metadata()
    {
        var v = new LittleFsVolume();
        v.WriteAllBytes("f", Bytes(10));
        var before = v.Counters.Snapshot();
        v.ReadAllBytes("f");
        v.ReadAllBytes("f");
        Assert.Equal(2, v.Counters.MetadataCommits - before.MetadataCommits);
        Assert.Equal(0, v.Counters.Commits - before.Commits);
    }

    [Fact]
    public void Small_files_live_inline_and_cost_no_data_block()
    {
        var v = new LittleFsVolume();
        var blocks = v.BlocksUsed;
        var before = v.Counters.Snapshot();
        for (int i = 0; i < 20; i++)
        {
            v.WriteAllBytes("state.a", Bytes(512));
        }

        Assert.Equal(blocks, v.BlocksUsed);
        Assert.True(v.Counters.Erases - before.Erases <= 4, $"{v.Counters.Erases - before.Erases} erases for 20 inline rewrites");
        v.WriteAllBytes("state.a", Bytes(513));
        Assert.Equal(blocks + 1, v.BlocksUsed);
    }

    [Fact]
    public void Space_runs_out_with_copy_on_write_headroom_counted_and_free_space_cannot_be_asked()
    {
        var v = new LittleFsVolume();
        Assert.Equal(-1, v.TotalSize);
        int meta = v.BlocksUsed;
        v.WriteAllBytes("fill", Bytes((64 - meta - 10) * 4096));
        v.WriteAllBytes("ten", Bytes(10 * 4096));
        Assert.Equal(64, v.BlocksUsed);

        // Rewriting "ten" in place needs new blocks before the old ones are freed.
        var s = v.Open("ten", FileMode.Open, FileAccess.ReadWrite);
        Assert.Throws<IOException>(() => s.Write(Bytes(1), 0, 1));
        s.Dispose();
        Assert.Equal(Bytes(10 * 4096), v.CommittedContent("ten"));

        v.Delete("ten");
        v.WriteAllBytes("ten", Bytes(10 * 4096));
        Assert.Throws<IOException>(() => v.WriteAllBytes("more", Bytes(4097)));
    }

    [Fact]
    public void Move_onto_an_existing_file_and_an_incompatible_second_open_throw()
    {
        var v = new LittleFsVolume();
        v.WriteAllBytes("a", Bytes(1));
        v.WriteAllBytes("b", Bytes(2));
        Assert.Throws<IOException>(() => v.Move("a", "b"));
        v.Move("a", "c");
        Assert.False(v.Exists("a"));

        using var w = v.Open("c", FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        Assert.Throws<IOException>(() => v.Open("c", FileMode.Open, FileAccess.Read, FileShare.Read));
        using var r1 = v.Open("b", FileMode.Open, FileAccess.Read, FileShare.Read);
        using var r2 = v.Open("b", FileMode.Open, FileAccess.Read, FileShare.Read);
        Assert.Throws<IOException>(() => v.Open("b", FileMode.Open, FileAccess.Write, FileShare.Read));
    }

    [Fact]
    public void A_power_cut_at_any_step_of_a_rewrite_leaves_the_old_or_the_new_content()
    {
        var v = new LittleFsVolume();
        v.WriteAllBytes("f", Bytes(3000, 1));
        var steps = v.Steps;
        v.CloneCommitted().WriteAllBytes("f", Bytes(5000, 2));
        var probe = v.CloneCommitted();
        long start = probe.Steps;
        probe.WriteAllBytes("f", Bytes(5000, 2));
        long total = probe.Steps - start;
        Assert.True(total > 5000);

        for (long cut = 0; cut <= total; cut++)
        {
            var c = v.CloneCommitted();
            c.CutAfterSteps = cut;
            try
            {
                c.WriteAllBytes("f", Bytes(5000, 2));
                Assert.Equal(total, cut); // only the cut past the last step lets it finish
            }
            catch (PowerCutException)
            {
            }

            var content = c.CommittedContent("f");
            Assert.True(content.SequenceEqual(Bytes(3000, 1)) || content.SequenceEqual(Bytes(5000, 2)), $"cut {cut}: torn content of {content.Length} bytes");
            Assert.Equal(cut == total, content.Length == 5000);
        }

        Assert.Equal(steps, v.Steps);
    }
}
