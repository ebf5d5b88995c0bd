using IoTMonitor.Firmware.Core.Sensors.Ds3231;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Ds3231;

/// <summary>
/// The DS3231 timekeeping registers 00h–06h ↔ epoch seconds, on register images laid out as in
/// "DS3231 Extremely Accurate I2C-Integrated RTC/TCXO/Crystal", 19-5170 Rev 10, Table 1.
/// </summary>
public sealed class Ds3231TimeTests
{
    [Theory]
    // Table 1 power-on values: 00:00:00, day 01, date 01, month 01, year 00 → 2000-01-01.
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00 }, 946_684_800)]
    // 24-hour mode (bit 6 = 0): 2026-12-07 06:42:23, a Monday.
    [InlineData(new byte[] { 0x23, 0x42, 0x06, 0x01, 0x07, 0x12, 0x26 }, 1_796_625_743)]
    // 24-hour mode, 20-hour bit (bit 5): 23:59:59 on the leap day 2024-02-29.
    [InlineData(new byte[] { 0x59, 0x59, 0x23, 0x04, 0x29, 0x02, 0x24 }, 1_709_251_199)]
    // 12-hour mode (bit 6 = 1), PM (bit 5 = 1), 10-hour bit and 2: 12 PM is noon.
    [InlineData(new byte[] { 0x00, 0x00, 0x72, 0x06, 0x01, 0x01, 0x00 }, 946_684_800 + (12 * 3600))]
    // 12-hour mode, AM, 12: midnight.
    [InlineData(new byte[] { 0x00, 0x00, 0x52, 0x06, 0x01, 0x01, 0x00 }, 946_684_800)]
    // 12-hour mode, PM, 11 → 23 h.
    [InlineData(new byte[] { 0x00, 0x00, 0x71, 0x06, 0x01, 0x01, 0x00 }, 946_684_800 + (23 * 3600))]
    // Century bit (month bit 7) with year 00: 2100-01-01.
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x05, 0x01, 0x81, 0x00 }, 4_102_444_800)]
    public void Reads_the_datasheets_register_layout(byte[] regs, long epoch)
    {
        Assert.Equal(epoch, Ds3231Time.ToEpoch(regs, 0));
    }

    [Theory]
    [InlineData(new byte[] { 0x5A, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00 })] // not BCD
    [InlineData(new byte[] { 0x60, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00 })] // second 60
    [InlineData(new byte[] { 0x00, 0x00, 0x24, 0x01, 0x01, 0x01, 0x00 })] // hour 24
    [InlineData(new byte[] { 0x00, 0x00, 0x40, 0x01, 0x01, 0x01, 0x00 })] // 12-hour mode, hour 0
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x30, 0x02, 0x26 })] // 30 February
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x29, 0x02, 0x26 })] // 29 February in a common year
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x26 })] // date 0
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x01, 0x13, 0x26 })] // month 13
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })] // a bus of pull-ups
    public void Registers_that_are_no_date_read_as_minus_1(byte[] regs)
    {
        Assert.Equal(-1, Ds3231Time.ToEpoch(regs, 0));
    }

    [Fact]
    public void Writes_24_hour_bcd_with_a_sequential_day_of_week()
    {
        var regs = new byte[9];
        Assert.True(Ds3231Time.FromEpoch(1_796_625_743, regs, 2));
        Assert.Equal(new byte[] { 0, 0, 0x23, 0x42, 0x06, 0x01, 0x07, 0x12, 0x26 }, regs); // Monday = 1

        Assert.True(Ds3231Time.FromEpoch(1_709_251_199, regs, 0));
        Assert.Equal(new byte[] { 0x59, 0x59, 0x23, 0x04, 0x29, 0x02, 0x24 }, regs[..7]); // a Thursday

        Assert.True(Ds3231Time.FromEpoch(946_684_800, regs, 0));
        Assert.Equal(0x06, regs[3]); // 2000-01-01 was a Saturday
    }

    [Fact]
    public void Writes_nothing_outside_the_chips_2000_to_2099_calendar()
    {
        var regs = new byte[7];
        Assert.False(Ds3231Time.FromEpoch(946_684_799, regs, 0));
        Assert.False(Ds3231Time.FromEpoch(4_102_444_800, regs, 0));
        Assert.All(regs, b => Assert.Equal(0, b));
        Assert.True(Ds3231Time.FromEpoch(4_102_444_799, regs, 0));
        Assert.Equal(new byte[] { 0x59, 0x59, 0x23, 0x04, 0x31, 0x12, 0x99 }, regs);
    }

    [Fact]
    public void Every_second_of_the_range_round_trips_as_dotnet_counts_it()
    {
        var regs = new byte[7];
        var rng = new Random(3231);
        for (int i = 0; i < 20_000; i++)
        {
            long t = Ds3231Time.Year2000 + (long)(rng.NextDouble() * (Ds3231Time.Year2100 - Ds3231Time.Year2000));
            Assert.True(Ds3231Time.FromEpoch(t, regs, 0));
            var d = DateTimeOffset.FromUnixTimeSeconds(t);
            Assert.Equal(d.Day, ((regs[4] >> 4) * 10) + (regs[4] & 0x0F));
            Assert.Equal(((int)d.DayOfWeek + 6) % 7 + 1, regs[3]);
            Assert.Equal(t, Ds3231Time.ToEpoch(regs, 0));
        }
    }
}
