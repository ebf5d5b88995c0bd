using System.Text;
using System.Text.Json;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Ds3231;
using IoTMonitor.Firmware.Core.Tests.Fakes;
using IoTMonitor.Firmware.Core.Time;
using IoTMonitor.Firmware.Host.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Node;

/// <summary>
/// A node with a battery-backed DS3231 (hardware/common/rtc-backup.md) through a Wi-Fi outage with
/// two power cuts: the clock is set from the RTC at each power-on, so the readings are stamped with real
/// time and none is lost as unplaceable; without the RTC, a boot cut before it ever synced is lost.
/// </summary>
public sealed class RtcBackupTests
{
    private const long Synced = ProtocolLimits.SyncedEpoch;
    private const long Start = 1_764_316_800;
    private static readonly string RtcConfig = NodeHarness.Config.TrimEnd()[..^1] + ""","rtc":{"kind":"ds3231","bus":1}}""";

    [Fact]
    public void With_the_rtc_two_power_cuts_in_an_outage_keep_every_reading_placed_in_real_time()
    {
        var (h, chip) = Node(RtcConfig);
        var run = Outage(h, chip);

        Assert.Equal([false, true, true], run.FromRtc);   // the two power-ons after the cuts
        Assert.True(chip.TimeWrites > 0);
        Assert.False(chip.OscillatorStopped);

        var sent = h.Received();
        Assert.Equal(run.Sampled, sent.Select(x => (x.Boot, x.N)).Distinct().Count()); // none lost
        Assert.Equal(sent.Count, sent.Select(x => (x.Boot, x.N)).Distinct().Count());   // none twice
        Assert.Equal([1, 2, 3], sent.Select(x => x.Boot).Distinct().Order());
        Assert.All(sent, x => Assert.InRange(x.T, Start, run.EndUtc));          // real time, not 1970
        Assert.All(sent, x => Assert.Equal(0, x.Flags & QualityFlags.TimeEstimated)); // stamped, not rebased
        Assert.All(h.Link.Telemetry, p => Assert.Equal(0, UnplaceableOf(p)));
    }

    [Fact]
    public void Without_the_rtc_the_boot_cut_before_any_sync_is_unplaceable()
    {
        var (h, chip) = Node(NodeHarness.Config);
        var run = Outage(h, chip);

        Assert.Equal([false, false, false], run.FromRtc);
        Assert.Equal(0, chip.TimeWrites); // not in the config: never touched

        // Boot 2 never synced: its readings go out on the 1970 clock in batches whose clk is synced,
        // which the gateway dead-letters as unsynced_time (protocol §3); boot 3's are rebased.
        var sent = h.Received();
        var boot2 = sent.Where(x => x.Boot == 2).ToList();
        Assert.NotEmpty(boot2);
        Assert.All(boot2, x => Assert.True(x.T < Synced));
        Assert.Contains(sent, x => x.Boot == 3 && (x.Flags & QualityFlags.TimeEstimated) != 0);
    }

    [Fact]
    public void An_rtc_whose_oscillator_stopped_is_ignored_and_written_at_the_next_sync()
    {
        var (h, chip) = Node(RtcConfig);
        h.Link.NetworkUp = false;
        h.Clock.SetUtc(9); // power-on: the ESP32 clock reads 1970

        // A time in the registers, but OSF still 1 (never cleared since the first power-up).
        var bus = new SimulatedI2cBus();
        bus.Attach(SimulatedDs3231.Address, chip);
        var regs = new byte[8];
        Ds3231Time.FromEpoch(Start, regs, 1);
        Assert.Equal(ReadResult.Ok, bus.WriteRead(SimulatedDs3231.Address, regs, 8, [], 0));
        Assert.True(chip.OscillatorStopped);

        var r = h.Wake();
        Assert.False(r.ClockFromRtc);
        Assert.True(h.Clock.UtcSeconds < Synced);

        // Network back: SNTP sets the clock, the RTC is written from it and OSF cleared.
        h.Link.NetworkUp = true;
        h.Link.NtpTime = () => Start + 3600;
        for (int i = 0; i < 4 && chip.OscillatorStopped; i++)
        {
            h.Wake(true, 0);
        }

        Assert.False(chip.OscillatorStopped);
        Assert.True(chip.TimeWrites >= 2);
    }

    [Fact]
    public void An_rtc_that_lost_its_cell_with_the_supply_is_ignored()
    {
        var (h, chip) = Node(RtcConfig);
        h.Wake(); // synced boot: the RTC is written
        Assert.False(chip.OscillatorStopped);

        chip.HasCell = false;
        PowerCut(h, chip);
        Assert.True(chip.OscillatorStopped);
        h.Link.NetworkUp = false;
        var r = h.Wake();
        Assert.False(r.ClockFromRtc);
        Assert.True(h.Clock.UtcSeconds < Synced);
    }

    private (NodeHarness, SimulatedDs3231) Node(string config)
    {
        var h = new NodeHarness(utc: Start) { ConfigBytes = Encoding.UTF8.GetBytes(config) };
        long origin = h.Clock.Millis;
        var chip = new SimulatedDs3231(() => (Start * 1000) + h.Clock.Millis - origin, driftPpm: 2);
        var board = new RtcBoard();
        board.Bus.Attach(SimulatedDs3231.Address, chip);
        var backup = new BackupClock(board, new FakeClockSetter(h.Clock));
        h.OnCycle = c => c.BackupClock = backup;
        h.Link.NtpTime = () => Start + ((h.Clock.Millis - origin) / 1000);
        return (h, chip);
    }

    // Synced and uploading, then Wi-Fi down for days with two power cuts, then Wi-Fi back.
    private static (int Sampled, bool[] FromRtc, long EndUtc) Outage(NodeHarness h, SimulatedDs3231 chip)
    {
        int sampled = 0;
        var fromRtc = new List<bool>();
        var first = h.Wake();
        sampled += first.Sampled;
        fromRtc.Add(first.ClockFromRtc);
        for (int i = 0; i < 6; i++)
        {
            sampled += h.Wake().Sampled;
        }

        h.Link.NetworkUp = false;
        for (int cut = 0; cut < 2; cut++)
        {
            for (int i = 0; i < 8; i++)
            {
                sampled += h.Wake().Sampled;
            }

            PowerCut(h, chip);
            var boot = h.Wake();
            sampled += boot.Sampled;
            fromRtc.Add(boot.ClockFromRtc);
        }

        for (int i = 0; i < 8; i++)
        {
            sampled += h.Wake().Sampled;
        }

        h.Link.NetworkUp = true;
        for (int i = 0; i < 12; i++)
        {
            sampled += h.Wake().Sampled;
        }

        // A pin wake uploads at once; what is still queued after it was not lost.
        sampled += h.Wake(true, 0).Sampled;
        return (sampled - h.Last!.Queue.Count, fromRtc.ToArray(), Start + (h.Clock.Millis / 1000) + 1);
    }

    private static void PowerCut(NodeHarness h, SimulatedDs3231 chip)
    {
        h.Flash.Reset();
        chip.PowerCut();
        h.Clock.AdvanceSeconds(1800);
        h.Clock.SetUtc(9); // the ESP32 RTC restarts at power-on
        h.Power.ResetReason = ResetReason.PowerOn;
        chip.PowerUp();
    }

    private static int UnplaceableOf(string telemetry)
    {
        using var doc = JsonDocument.Parse(telemetry);
        return doc.RootElement.GetProperty("h").TryGetProperty("unp", out var d) ? d.GetInt32() : 0;
    }

    private sealed class FakeClockSetter(FakeClock clock) : IClockSetter
    {
        public void SetUtc(long utcSeconds) => clock.SetUtc(utcSeconds);
    }

    private sealed class RtcBoard : IBusProvider
    {
        public SimulatedI2cBus Bus { get; } = new();

        public IAnalogInput Analog(int pin) => null!;

        public II2cBus I2c(int bus) => bus == 1 ? Bus : null!;

        public IUart Uart(int tx, int rx, int baudRate) => null!;

        public IOneWireBus OneWire(int tx, int rx) => null!;
    }
}
