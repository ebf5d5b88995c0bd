using System.Text;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Emulator.Tests.Model;

/// <summary>The model's behaviours, each as the reference states it (docs/references.md).</summary>
public sealed class RuntimeModelTests
{
    private static readonly byte[] Data = Encoding.ASCII.GetBytes("reading");

    [Fact]
    public void Writes_since_the_last_close_are_lost_at_a_reset_and_a_new_file_survives_empty()
    {
        var volume = new LittleFsVolume();
        using (var kept = volume.Open("kept.bin", FileMode.CreateNew, FileAccess.Write))
        {
            kept.Write(Data, 0, Data.Length);
        }

        var open = volume.Open("kept.bin", FileMode.Append, FileAccess.Write);
        open.Write(Data, 0, Data.Length);
        var fresh = volume.Open("new.bin", FileMode.CreateNew, FileAccess.Write);
        fresh.Write(Data, 0, Data.Length);

        volume.Reset();

        Assert.Equal(Data, volume.CommittedContent("kept.bin"));
        Assert.Empty(volume.CommittedContent("new.bin"));
    }

    [Fact]
    public void A_truncating_overwrite_is_all_old_until_close_and_a_move_onto_an_existing_file_throws()
    {
        var volume = new LittleFsVolume();
        volume.WriteAllBytes("a", Data);
        volume.WriteAllBytes("b", Data);
        var f = volume.Open("a", FileMode.Create, FileAccess.Write);
        f.Write([1, 2], 0, 2);
        volume.Reset();

        Assert.Equal(Data, volume.CommittedContent("a"));
        Assert.Throws<IOException>(() => volume.Move("a", "b"));
    }

    [Fact]
    public void Rewriting_the_head_of_a_large_file_copies_the_rest_while_an_append_copies_only_the_last_block()
    {
        var volume = new LittleFsVolume();
        volume.WriteAllBytes("big", new byte[40000]);
        long before = volume.Counters.Erases;
        using (var head = volume.Open("big", FileMode.Open, FileAccess.ReadWrite))
        {
            head.Write(Data, 0, Data.Length);
        }

        long headErases = volume.Counters.Erases - before;

        before = volume.Counters.Erases;
        using (var tail = volume.Open("big", FileMode.Append, FileAccess.Write))
        {
            tail.Write(Data, 0, Data.Length);
        }

        long appendErases = volume.Counters.Erases - before;

        Assert.True(headErases >= 10, $"head rewrite {headErases} erases");
        Assert.True(appendErases <= 2, $"append {appendErases} erases");
    }

    [Fact]
    public void The_volume_is_64_blocks_and_a_commit_that_does_not_fit_throws()
    {
        var volume = new LittleFsVolume();
        var g = volume.Geometry;
        Assert.Equal(64, g.BlockCount);
        Assert.Equal(-1, volume.TotalSize);
        var f = volume.Open("fill", FileMode.CreateNew, FileAccess.Write);
        Assert.Throws<IOException>(() => f.Write(new byte[g.BlockCount * g.BlockSize], 0, g.BlockCount * g.BlockSize));
    }

    [Fact]
    public void Deep_sleep_powers_off_before_unwinding_and_every_later_call_throws()
    {
        var device = new Esp32Device(1_700_000_000_000, new RadioEnvironment());
        device.BeginWake(WakeCause.Undefined);
        var f = device.Flash.Open("q", FileMode.CreateNew, FileAccess.Write);
        f.Write(Data, 0, Data.Length);

        var sleep = Assert.Throws<DeviceResetException>(() => device.EnterDeepSleep(900_000, 4));
        Assert.Equal(ResetKind.DeepSleep, sleep.Kind);
        Assert.Throws<DeviceResetException>(() => device.Step("file-close"));
        f.Dispose(); // a finally block running after the call: no effect

        Assert.Empty(device.Flash.CommittedContent("q"));
        var outcome = device.EndWake(ResetKind.DeepSleep, null);
        Assert.Equal(900_000, outcome.TimerWakeMs);
    }

    [Fact]
    public void Tick_count_restarts_at_each_wake_the_rtc_drifts_in_sleep_and_a_power_on_reads_1970()
    {
        var device = new Esp32Device(1_700_000_000_000, new RadioEnvironment()) { SleepDrift = 0.05 };
        device.BeginWake(WakeCause.Undefined);
        Assert.Equal(0, device.RtcMs); // power-on: 1970 until SNTP
        device.SetRtc(device.TrueMs);
        device.Advance(1234);
        Assert.Equal(1234, device.TickCount64);
        Assert.Throws<DeviceResetException>(() => device.EnterDeepSleep(1_050_000, -1));
        device.EndWake(ResetKind.DeepSleep, null);

        long rtcBefore = device.RtcMs, trueBefore = device.TrueMs;
        Assert.Equal(WakeCause.Timer, device.SleepFor(1_050_000));
        device.BeginWake(WakeCause.Timer);

        Assert.Equal(0, device.TickCount64);
        Assert.Equal(1_050_000, device.RtcMs - rtcBefore);
        Assert.Equal(1_000_000, device.TrueMs - trueBefore); // the RC runs 5 % fast: the timer wakes early in true time

        device.PowerOffFor(1000);
        Assert.Equal(0, device.RtcMs);
    }

    [Fact]
    public void A_pin_wake_reports_ext0_when_the_pin_was_armed()
    {
        var device = new Esp32Device(1_700_000_000_000, new RadioEnvironment());
        device.BeginWake(WakeCause.Undefined);
        Assert.Throws<DeviceResetException>(() => device.EnterDeepSleep(900_000, 4));
        device.EndWake(ResetKind.DeepSleep, null);
        Assert.Equal(WakeCause.Ext0, device.SleepFor(900_000, device.TrueMs + 10_000));
    }

    [Fact]
    public void The_rain_counters_int_reports_ext1_only_when_ext1_was_armed_and_before_the_timer()
    {
        var device = new Esp32Device(1_700_000_000_000, new RadioEnvironment());
        device.BeginWake(WakeCause.Undefined);
        Assert.Throws<DeviceResetException>(() => device.EnterDeepSleep(900_000, 4, 1UL << 34));
        var o = device.EndWake(ResetKind.DeepSleep, null);
        Assert.Equal(1UL << 34, o.Ext1Mask);
        long before = device.TrueMs;
        Assert.Equal(WakeCause.Ext1, device.SleepFor(900_000, long.MaxValue, device.TrueMs + 120_000));
        Assert.Equal(120_000, device.TrueMs - before);

        // Not armed (no gauge in the config): INT going low does not end the sleep.
        device.BeginWake(WakeCause.Ext1);
        Assert.Throws<DeviceResetException>(() => device.EnterDeepSleep(900_000, 4));
        device.EndWake(ResetKind.DeepSleep, null);
        Assert.Equal(WakeCause.Timer, device.SleepFor(900_000, long.MaxValue, device.TrueMs + 120_000));
    }

    [Fact]
    public void Waiting_forever_with_nothing_scheduled_is_a_hang()
    {
        var device = new Esp32Device(1_700_000_000_000, new RadioEnvironment());
        device.BeginWake(WakeCause.Undefined);
        var e = Assert.Throws<DeviceResetException>(() => device.Wait(-1, () => false));
        Assert.Equal(ResetKind.Hang, e.Kind);
    }
}
