using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Core.Tests.Storage;

/// <summary>Node state and remote config in A/B files on the LittleFS model.</summary>
public class NodeStateStorageTests
{
    private static NodeState Boot(LittleFsVolume v)
    {
        v.Reset();
        var s = new NodeState(new ModelFileStore(v));
        s.Load();
        return s;
    }

    [Fact]
    public void State_is_written_whole_into_alternating_inline_files_and_read_back_after_a_reset()
    {
        var v = new LittleFsVolume();
        var s = Boot(v);
        Assert.False(new NodeState(new ModelFileStore(v)).Load());
        for (int i = 1; i <= 5; i++)
        {
            s.Boot = 3;
            s.NextSeq = i * 10;
            s.LastUploadUtc = 1_764_316_800 + i;
            s.Failures = i;
            s.UploadNow = i % 2 == 0;
            var before = v.Counters.Snapshot();
            s.Save();

            // A whole-file replace of a 208-byte inline file: no data block, no copy.
            Assert.Equal(0, v.Counters.BytesCopied - before.BytesCopied);
            Assert.Equal(1, v.Counters.Commits - before.Commits);
        }

        Assert.Equal(208, v.CommittedContent("state.a").Length);
        Assert.Equal(208, v.CommittedContent("state.b").Length);
        var r = Boot(v);
        Assert.Equal(50, r.NextSeq);
        Assert.Equal(1_764_316_805, r.LastUploadUtc);
        Assert.Equal(5, r.Failures);
        Assert.False(r.UploadNow);
    }

    [Fact]
    public void A_power_cut_at_any_step_of_a_save_leaves_the_previous_or_the_new_state()
    {
        var v = new LittleFsVolume();
        var s = Boot(v);
        s.NextSeq = 100;
        s.Save();
        s.NextSeq = 101;
        s.Save();

        var probe = v.CloneCommitted();
        var ps = Boot(probe);
        long start = probe.Steps;
        ps.NextSeq = 102;
        ps.Save();
        long total = probe.Steps - start;

        for (long cut = 0; cut <= total; cut++)
        {
            var c = v.CloneCommitted();
            var cs = Boot(c);
            Assert.Equal(101, cs.NextSeq);
            c.CutAfterSteps = cut;
            cs.NextSeq = 102;
            try
            {
                cs.Save();
            }
            catch (PowerCutException)
            {
            }

            var after = Boot(c).NextSeq;
            Assert.True(after is 101 or 102, $"cut {cut}: NextSeq {after}");
            Assert.Equal(cut >= total, after == 102);
        }
    }

    [Fact]
    public void A_damaged_copy_falls_back_to_the_other()
    {
        var v = new LittleFsVolume();
        var s = Boot(v);
        s.NextSeq = 7;
        s.Save(); // state.a
        s.NextSeq = 8;
        s.Save(); // state.b
        v.DamageCommitted("state.b", 20, 0x10);
        Assert.Equal(7, Boot(v).NextSeq);
    }

    [Fact]
    public void Remote_config_round_trips_through_its_own_A_B_files()
    {
        var v = new LittleFsVolume();
        var s = Boot(v);
        var doc = new byte[3000];
        new Random(5).NextBytes(doc);
        s.SaveRemoteConfig(doc, doc.Length);
        s.SaveRemoteConfig(doc, 100);
        var into = new byte[NodeState.MaxRemoteConfigBytes];
        var r = Boot(v);
        Assert.Equal(100, r.LoadRemoteConfig(into));
        Assert.Equal(doc[..100], into[..100]);
    }

    [Fact]
    public void Clock_offsets_of_past_boots_survive_resets_and_a_state_file_of_the_older_layout_still_loads()
    {
        var v = new LittleFsVolume();
        var s = Boot(v);
        s.Boot = 3;
        s.ClockOffset = 1_764_000_000;
        s.StartBoot(); // boot 4: boot 3's offset is kept
        s.ClockOffset = 1_764_100_000;
        s.Save();

        var r = Boot(v);
        Assert.Equal(4, r.Boot);
        Assert.Equal(1_764_000_000, r.OffsetOf(3));
        Assert.Equal(1_764_100_000, r.OffsetOf(4));
        Assert.Equal(0, r.OffsetOf(2));

        // Firmware before the past offsets wrote 64 payload bytes: it loads, with none kept.
        var files = new ModelFileStore(v);
        new NodeState(files).Save();
        var old = new Core.Storage.AlternatingFile(files, "state.a", "state.b", 64);
        System.Array.Clear(old.Buffer);
        Core.Storage.LittleEndian.WriteInt32(old.Buffer, Core.Storage.AlternatingFile.PayloadOffset, 9);
        Core.Storage.LittleEndian.WriteInt32(old.Buffer, Core.Storage.AlternatingFile.PayloadOffset + 4, 42);
        old.Save(64);
        old.Save(64);
        var o = Boot(v);
        Assert.Equal(9, o.Boot);
        Assert.Equal(42, o.NextSeq);
        Assert.Equal(0, o.OffsetOf(3));
    }
}
