using IoTMonitor.Firmware.Core.Calibration;

namespace IoTMonitor.Firmware.Core.Tests.Calibration;

public class CalibratorTests
{
    private static CalibrationConfig Cal(CalibrationKind kind, params (double Raw, double Ref)[] points) => new()
    {
        Kind = kind,
        Raw = points.Select(p => p.Raw).ToArray(),
        Reference = points.Select(p => p.Ref).ToArray(),
    };

    [Fact]
    public void Ph_two_point_line_matches_dfrobot_defaults_at_25_C()
    {
        // DFRobot pH V2 defaults (reference §B7): 1.500 V ↔ pH 7, 2.03244 V ↔ pH 4.
        var c = Cal(CalibrationKind.Ph, (1.5, 7.0), (2.03244, 4.0));
        Assert.Equal(7.0, Calibrator.Apply(c, 1.5, 25), 9);
        Assert.Equal(4.0, Calibrator.Apply(c, 2.03244, 25), 9);
        // Nernst: at 5 °C the same deviation from pH 7 means more pH units (slope ∝ T).
        Assert.Equal(7.0 - (3.0 * 298.15 / 278.15), Calibrator.Apply(c, 2.03244, 5), 9);
    }

    [Fact]
    public void Ec_is_compensated_to_25_C()
    {
        var c = Cal(CalibrationKind.Ec, (0, 0), (1, 1000));
        c.TempCoeff = 0.0185;
        Assert.Equal(1000 / (1 + (0.0185 * -10)), Calibrator.Apply(c, 1, 15), 9);
        Assert.Equal(1000, Calibrator.Apply(c, 1, double.NaN), 9);
    }

    [Fact]
    public void Piecewise_linear_interpolates_and_extrapolates()
    {
        var c = Cal(CalibrationKind.Linear, (0, 0), (1, 10), (2, 30));
        Assert.Equal(5, Calibrator.Apply(c, 0.5, double.NaN), 12);
        Assert.Equal(20, Calibrator.Apply(c, 1.5, double.NaN), 12);
        Assert.Equal(50, Calibrator.Apply(c, 3, double.NaN), 12);
        Assert.Equal(-10, Calibrator.Apply(c, -1, double.NaN), 12);
        Assert.Equal(3.5, Calibrator.Apply(Cal(CalibrationKind.Level, (1, 1.5)), 3, double.NaN), 12);
    }

    [Fact]
    public void Moisture_is_clamped_to_0_100()
    {
        var c = Cal(CalibrationKind.Moisture, (1.1, 100), (2.5, 0));
        Assert.Equal(100, Calibrator.Apply(c, 0.5, double.NaN), 12);
        Assert.Equal(0, Calibrator.Apply(c, 3.0, double.NaN), 12);
        Assert.Equal(50, Calibrator.Apply(c, 1.8, double.NaN), 9);
    }
}
