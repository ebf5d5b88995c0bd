using System.Text;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Flash;
using IoTMonitor.Firmware.Emulator.Network;

namespace IoTMonitor.Firmware.Emulator.Tests.Model;

/// <summary>The model's behaviours, each as the reference states it (docs/references.md).</summary>
public sealed class RuntimeModelTests
{
    private static readonly byte[] Data = Encoding.ASCII.GetBytes("reading");

    [Fact]
    public void Writes_since_the_last_close_are_lost_at_a_reset_and_a_new_file_survives_empty()
    {
        var volume = new LittleFsVolume();
        var kept = volume.Open("I:\\kept.bin", create: true, truncate: false, mustNotExist: false);
        kept.Write(0, Data, 0, Data.Length);
        kept.Close();
        var open = volume.Open("I:\\kept.bin", create: false, truncate: false, mustNotExist: false);
        open.Write(open.Length, Data, 0, Data.Length);
        var fresh = volume.Open("I:\\new.bin", create: true, truncate: false, mustNotExist: false);
        fresh.Write(0, Data, 0, Data.Length);

        volume.PowerLoss();

        Assert.Equal(Data, volume.ReadCommitted("I:\\kept.bin"));
        Assert.Empty(volume.ReadCommitted("I:\\new.bin")!);
    }

    [Fact]
    public void A_truncating_overwrite_is_all_old_until_close_and_a_move_onto_an_existing_file_throws()
    {
        var volume = new LittleFsVolume();
        volume.Deploy("I:\\a", Data);
        volume.Deploy("I:\\b", Data);
        var f = volume.Open("I:\\a", create: true, truncate: true, mustNotExist: false);
        f.Write(0, [1, 2], 0, 2);
        volume.PowerLoss();

        Assert.Equal(Data, volume.ReadCommitted("I:\\a"));
        Assert.Throws<IOException>(() => volume.Move("I:\\a", "I:\\b"));
    }

    [Fact]
    public void Rewriting_the_head_of_a_large_file_copies_the_rest_while_an_append_copies_only_the_last_block()
    {
        var volume = new LittleFsVolume();
        volume.Deploy("I:\\big", new byte[40000]);
        long before = volume.Erases;
        var head = volume.Open("I:\\big", false, false, false);
        head.Write(0, Data, 0, Data.Length);
        head.Close();
        long headErases = volume.Erases - before;

        before = volume.Erases;
        var tail = volume.Open("I:\\big", false, false, false);
        tail.Write(tail.Length, Data, 0, Data.Length);
        tail.Close();
        long appendErases = volume.Erases - before;

        Assert.True(headErases >= 10, $"head rewrite {headErases} erases");
        Assert.True(appendErases <= 2, $"append {appendErases} erases");
    }

    [Fact]
    public void The_volume_is_64_blocks_and_a_commit_that_does_not_fit_throws()
    {
        var volume = new LittleFsVolume();
        var f = volume.Open("I:\\fill", true, false, false);
        Assert.Throws<IOException>(() => f.Write(0, new byte[LittleFsVolume.BlockCount * LittleFsVolume.BlockSize], 0, LittleFsVolume.BlockCount * LittleFsVolume.BlockSize));
    }

    [Fact]
    public void Deep_sleep_powers_off_before_unwinding_and_every_later_call_throws()
    {
        var device = new Esp32Device(1_700_000_000_000, new RadioEnvironment());
        device.BeginWake(WakeCause.Undefined);
        var f = device.Flash.Open("I:\\q", true, false, false);
        f.Write(0, Data, 0, Data.Length);

        var sleep = Assert.Throws<DeviceResetException>(() => device.EnterDeepSleep(900_000, 4));
        Assert.Equal(ResetKind.DeepSleep, sleep.Kind);
        Assert.Throws<DeviceResetException>(() => device.Step("file-close"));
        f.Close(); // a finally block running after the call: no effect

        Assert.Empty(device.Flash.ReadCommitted("I:\\q")!);
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
    public void Waiting_forever_with_nothing_scheduled_is_a_hang()
    {
        var device = new Esp32Device(1_700_000_000_000, new RadioEnvironment());
        device.BeginWake(WakeCause.Undefined);
        var e = Assert.Throws<DeviceResetException>(() => device.Wait(-1, () => false));
        Assert.Equal(ResetKind.Hang, e.Kind);
    }
}
