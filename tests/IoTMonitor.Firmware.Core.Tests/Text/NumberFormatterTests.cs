using System.Globalization;
using System.Text;
using CsCheck;
using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Tests.Text;

public class NumberFormatterTests
{
    private static string Fixed(double v, int d)
    {
        var buf = new byte[400];
        int n = NumberFormatter.WriteFixed(v, d, buf, 0, buf.Length);
        Assert.True(n > 0);
        return Encoding.ASCII.GetString(buf, 0, n);
    }

    [Theory]
    [InlineData(7.1234, 2, "7.12")]
    [InlineData(7.10, 2, "7.1")]
    [InlineData(14.0, 2, "14")]
    [InlineData(-0.0, 2, "0")]
    [InlineData(-0.001, 2, "0")]
    [InlineData(-3.456, 2, "-3.46")]
    [InlineData(3.26, 1, "3.3")]
    [InlineData(512.4, 0, "512")]
    [InlineData(0.00812, 4, "0.0081")]
    [InlineData(1.53214, 4, "1.5321")]
    [InlineData(0.5, 0, "1")]
    [InlineData(-0.5, 0, "-1")]
    [InlineData(2.5, 0, "3")]
    [InlineData(0.0001, 4, "0.0001")]
    [InlineData(123456789012.5, 0, "123456789013")]
    public void Rounds_half_away_and_trims(double v, int d, string expected)
    {
        Assert.Equal(expected, Fixed(v, d));
    }

    [Fact]
    public void Matches_decimal_rounding_for_random_values()
    {
        Gen.Double[-1e9, 1e9].Select(Gen.Int[0, 4]).Sample((v, d) =>
        {
            var expected = Math.Round((decimal)v, d, MidpointRounding.AwayFromZero);
            var actual = decimal.Parse(Fixed(v, d), CultureInfo.InvariantCulture);
            // Ties of the binary value may differ by one unit in the last place; nothing more.
            var ulp = (decimal)Math.Pow(10, -d);
            return Math.Abs(expected - actual) <= ulp && !Fixed(v, d).Contains('e') && (actual != 0 || !Fixed(v, d).StartsWith('-'));
        }, iter: 20_000);
    }

    [Theory]
    [InlineData(1e300)]
    [InlineData(-1.7976931348623157e308)]
    [InlineData(9.5e17)]
    [InlineData(123456789012345678.9)]
    public void Huge_values_are_plain_digits_that_parse_back(double v)
    {
        var text = Fixed(v, 2);
        Assert.Matches("^-?[0-9]+$", text);
        var back = double.Parse(text, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(back - v) <= 4 * Math.Abs(v) * 1.2e-16, text);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(-71L, "-71")]
    [InlineData(1764316800L, "1764316800")]
    [InlineData(long.MinValue, "-9223372036854775808")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    public void Writes_integers(long v, string expected)
    {
        var buf = new byte[32];
        int n = NumberFormatter.WriteInt64(v, buf, 0, buf.Length);
        Assert.Equal(expected, Encoding.ASCII.GetString(buf, 0, n));
    }

    [Fact]
    public void Reports_overflow_instead_of_writing_past_limit()
    {
        var buf = new byte[8];
        Assert.Equal(-1, NumberFormatter.WriteInt64(1764316800, buf, 0, 5));
        Assert.Equal(-1, NumberFormatter.WriteFixed(3.14159, 4, buf, 0, 5));
        Assert.Equal(6, NumberFormatter.WriteFixed(3.14159, 4, buf, 0, 6));
    }
}
