using CsCheck;
using IoTMonitor.Firmware.Core.Numerics;

namespace IoTMonitor.Firmware.Core.Tests.Numerics;

public class FMathTests
{
    private static bool Close(double expected, double actual, double rel = 1e-13)
    {
        if (double.IsNaN(expected))
        {
            return double.IsNaN(actual);
        }

        if (double.IsInfinity(expected) || expected == 0)
        {
            return expected == actual || Math.Abs(actual) < 1e-300;
        }

        return Math.Abs(expected - actual) <= rel * Math.Abs(expected);
    }

    [Fact]
    public void Sqrt_matches_system_math()
    {
        Gen.Double[0, 1e12].Sample(x => Close(Math.Sqrt(x), FMath.Sqrt(x)), iter: 20_000);
        Gen.Double.Sample(x => Close(Math.Sqrt(x), FMath.Sqrt(x)), iter: 20_000);
    }

    [Fact]
    public void Ln_matches_system_math()
    {
        Gen.Double[1e-300, 1e300].Sample(x => Close(Math.Log(x), FMath.Ln(x), 1e-14) || Math.Abs(Math.Log(x) - FMath.Ln(x)) < 1e-15, iter: 20_000);
        Gen.Double[0.5, 2].Sample(x => Math.Abs(Math.Log(x) - FMath.Ln(x)) < 1e-15, iter: 20_000);
        Assert.True(double.IsNaN(FMath.Ln(-1)));
        Assert.Equal(double.NegativeInfinity, FMath.Ln(0));
        Assert.True(Close(Math.Log(5e-320), FMath.Ln(5e-320), 1e-10));
    }

    [Fact]
    public void Exp_matches_system_math()
    {
        Gen.Double[-700, 700].Sample(x => Close(Math.Exp(x), FMath.Exp(x), 1e-14), iter: 20_000);
        Assert.Equal(double.PositiveInfinity, FMath.Exp(1000));
        Assert.Equal(0, FMath.Exp(-1000));
    }

    [Fact]
    public void Pow_matches_system_math()
    {
        Gen.Double[1e-3, 1e3].Select(Gen.Double[-10, 10]).Sample((x, y) => Close(Math.Pow(x, y), FMath.Pow(x, y), 1e-12), iter: 20_000);
        Assert.Equal(-8, FMath.Pow(-2, 3), 12);
        Assert.True(double.IsNaN(FMath.Pow(-2, 0.5)));
        Assert.Equal(1, FMath.Pow(0, 0));
    }

    [Fact]
    public void Floor_matches_system_math()
    {
        Gen.Double.Sample(x => Math.Floor(x).Equals(FMath.Floor(x)), iter: 20_000);
        Gen.Double[-1e6, 1e6].Sample(x => Math.Floor(x) == FMath.Floor(x), iter: 20_000);
    }
}
