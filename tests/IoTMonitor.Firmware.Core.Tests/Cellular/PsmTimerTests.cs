using IoTMonitor.Firmware.Core.Cellular;

namespace IoTMonitor.Firmware.Core.Tests.Cellular;

/// <summary>
/// The PSM timer octets of 3GPP TS 24.008 §10.5.7.4a (GPRS Timer 3, Table 10.5.163a: periodic TAU)
/// and §10.5.7.4 (GPRS Timer 2, Table 10.5.163: active time), as AT+CPSMS takes and +CEREG reports them.
/// </summary>
public class PsmTimerTests
{
    [Theory]
    [InlineData("00000001", 600)] // 1 × 10 min
    [InlineData("00100010", 7200)] // 2 × 1 h
    [InlineData("01000011", 108000)] // 3 × 10 h
    [InlineData("01100101", 10)] // 5 × 2 s
    [InlineData("10000010", 60)] // 2 × 30 s
    [InlineData("10100011", 180)] // 3 × 1 min
    [InlineData("11000001", 1152000)] // 1 × 320 h
    [InlineData("11100101", PsmTimer.Deactivated)]
    [InlineData("0010001", PsmTimer.Deactivated)] // 7 bits
    [InlineData("0010001x", PsmTimer.Deactivated)]
    [InlineData(null, PsmTimer.Deactivated)]
    public void Periodic_tau_is_a_gprs_timer_3(string? bits, int seconds)
    {
        Assert.Equal(seconds, PsmTimer.DecodeTau(bits!));
    }

    [Theory]
    [InlineData("00000101", 10)] // 5 × 2 s
    [InlineData("00100011", 180)] // 3 × 1 min
    [InlineData("01000010", 720)] // 2 × 6 min
    [InlineData("01100010", 120)] // other units: 1 min
    [InlineData("11100000", PsmTimer.Deactivated)]
    [InlineData("", PsmTimer.Deactivated)]
    public void Active_time_is_a_gprs_timer_2(string bits, int seconds)
    {
        Assert.Equal(seconds, PsmTimer.DecodeActive(bits));
    }

    [Theory]
    [InlineData(10, "01100101")] // 5 × 2 s
    [InlineData(7200, "00001100")] // 12 × 10 min (2 × 1 h is as long: the first unit in table order wins)
    [InlineData(3600, "00000110")] // 6 × 10 min
    [InlineData(36_000, "00101010")] // 10 h as 10 × 1 h (60 × 10 min does not fit in 5 bits)
    [InlineData(900, "10011110")] // 30 × 30 s = 900 s exactly (15 × 1 min is also 900 s: the first unit in table order wins)
    [InlineData(4000, "00000111")] // 7 × 10 min = 4200 s (2 × 1 h = 7200 s is longer)
    public void Encoding_picks_the_shortest_timer_that_covers_the_request(int seconds, string expected)
    {
        var bits = PsmTimer.EncodeTau(seconds);
        Assert.Equal(expected, bits);
        Assert.True(PsmTimer.DecodeTau(bits) >= seconds);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(61)]
    [InlineData(3600)]
    [InlineData(86_400)]
    [InlineData(400_000)]
    public void Every_encoded_timer_decodes_to_at_least_the_request(int seconds)
    {
        Assert.True(PsmTimer.DecodeTau(PsmTimer.EncodeTau(seconds)) >= seconds);
        if (seconds <= 31 * 360)
        {
            Assert.True(PsmTimer.DecodeActive(PsmTimer.EncodeActive(seconds)) >= seconds);
        }
    }

    [Fact]
    public void A_request_beyond_the_longest_timer_takes_the_longest()
    {
        Assert.Equal("11011111", PsmTimer.EncodeTau(int.MaxValue)); // 31 × 320 h
        Assert.Equal("01011111", PsmTimer.EncodeActive(1_000_000)); // 31 × 6 min
    }
}
