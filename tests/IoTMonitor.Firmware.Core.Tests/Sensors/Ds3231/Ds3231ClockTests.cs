using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Ds3231;
using IoTMonitor.Firmware.Host.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Ds3231;

/// <summary>The DS3231 driver against the host's register model of the chip (Host/Sensors/SimulatedDs3231).</summary>
public sealed class Ds3231ClockTests
{
    private long _trueMs = 1_796_625_743_000;

    [Fact]
    public void A_chip_powered_for_the_first_time_reports_osf_and_the_year_2000()
    {
        var (bus, chip) = Fitted();
        _trueMs += 5_000;
        Assert.Equal(ReadResult.Ok, new Ds3231Clock(bus).Read(out long utc, out bool stopped));
        Assert.True(stopped);
        Assert.Equal(Ds3231Time.Year2000 + 5, utc);
        Assert.True(chip.OscillatorStopped);
    }

    [Fact]
    public void Writing_the_time_clears_osf_keeps_the_other_status_bits_and_the_chip_counts_on()
    {
        var (bus, chip) = Fitted();
        var rtc = new Ds3231Clock(bus);
        Assert.Equal(ReadResult.Ok, rtc.Write(_trueMs / 1000));
        Assert.False(chip.OscillatorStopped);
        var status = new byte[1];
        Assert.Equal(ReadResult.Ok, bus.WriteRead(Ds3231Clock.Address, [0x0F], 1, status, 1));
        Assert.Equal(0x08, status[0]); // EN32kHz as it was

        _trueMs += 3 * 86_400_000L;
        Assert.Equal(ReadResult.Ok, rtc.Read(out long utc, out bool stopped));
        Assert.False(stopped);
        Assert.Equal(_trueMs / 1000, utc);
    }

    [Fact]
    public void Outside_the_chips_calendar_nothing_is_written()
    {
        var (bus, chip) = Fitted();
        Assert.Equal(ReadResult.OutOfRange, new Ds3231Clock(bus).Write(Ds3231Time.Year2100));
        Assert.Equal(0, chip.TimeWrites);
        Assert.True(chip.OscillatorStopped);
    }

    [Fact]
    public void No_chip_on_the_bus_is_no_response()
    {
        var rtc = new Ds3231Clock(new SimulatedI2cBus());
        Assert.Equal(ReadResult.NoResponse, rtc.Read(out _, out bool stopped));
        Assert.True(stopped);
        Assert.Equal(ReadResult.NoResponse, rtc.Write(_trueMs / 1000));
    }

    [Fact]
    public void A_time_written_in_12_hour_mode_by_another_tool_is_read_right()
    {
        var (bus, _) = Fitted();

        // 2026-12-07 11:05:00 PM written as 12-hour PM 11 (Table 1: bit 6 = 12-hour, bit 5 = PM).
        Assert.Equal(ReadResult.Ok, bus.WriteRead(Ds3231Clock.Address, [0x00, 0x00, 0x05, 0x71, 0x01, 0x07, 0x12, 0x26], 8, [], 0));
        Assert.Equal(ReadResult.Ok, new Ds3231Clock(bus).Read(out long utc, out bool stopped));
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 23, 5, 0, TimeSpan.Zero).ToUnixTimeSeconds(), utc);
        Assert.True(stopped); // the time registers were written, OSF was not
    }

    private (SimulatedI2cBus, SimulatedDs3231) Fitted()
    {
        var bus = new SimulatedI2cBus();
        var chip = new SimulatedDs3231(() => _trueMs);
        bus.Attach(SimulatedDs3231.Address, chip);
        return (bus, chip);
    }
}
