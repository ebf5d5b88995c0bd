using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Calibration;

public class CalibrationProcedureTests
{
    [Fact]
    public void Ph_two_point_procedure_checks_windows_and_produces_a_record_with_an_id()
    {
        var probe = new PhProbe();
        var proc = probe.CreateProcedure();
        Assert.Equal(CalibrationKind.Ph, proc.Kind);
        Assert.Equal(new[] { 7.0, 4.0 }, proc.Steps.Select(s => s.ReferenceValue));
        Assert.All(proc.Steps, s => Assert.Equal("pH", s.Unit));

        Assert.Equal(CalibrationResult.Incomplete, proc.TryBuildRecord(null, 1, 25, out _));
        Assert.Equal(CalibrationResult.Ok, proc.Capture(0, 1.52));
        Assert.Equal(CalibrationResult.OutOfWindow, proc.Capture(1, 1.52)); // still in pH 7 buffer
        Assert.Equal(CalibrationResult.Degenerate, proc.Capture(1, double.NaN));
        Assert.False(proc.IsComplete);
        Assert.Equal(CalibrationResult.Ok, proc.Capture(1, 2.05));
        Assert.True(proc.IsComplete);

        Assert.Equal(CalibrationResult.Ok, proc.TryBuildRecord(null, 1764317700, 21.5, out var rec));
        Assert.Equal("ph-1764317700", rec.Id);
        Assert.True(rec.Id.Length <= CalibrationRecord.MaxIdLength);
        Assert.Equal((2, 1.52, 7.0, 2.05, 4.0, 21.5), (rec.PointCount, rec.Raw(0), rec.Reference(0), rec.Raw(1), rec.Reference(1), rec.TemperatureC));
        Assert.Equal(CalibrationResult.Ok, probe.Apply(rec));
        Assert.Equal("ph-1764317700", probe.CalibrationId);

        Assert.Equal(CalibrationResult.Degenerate, proc.TryBuildRecord(new string('x', 33), 1, 25, out _));
    }

    [Fact]
    public void Three_point_and_do_procedures_take_on_site_references()
    {
        var ph3 = new PhProbe().CreateThreePointProcedure();
        Assert.Equal(3, ph3.Steps.Length);
        Assert.True(double.IsNaN(ph3.Steps[2].MinRaw));

        var dop = new DissolvedOxygenProbe();
        var proc = dop.CreateTwoPointProcedure();
        Assert.Equal(CalibrationResult.Ok, proc.Capture(0, 1.6, 26.2));
        Assert.Equal(CalibrationResult.Ok, proc.Capture(1, 1.3, 14.8));
        Assert.Equal(CalibrationResult.Ok, proc.TryBuildRecord("do-pond", 1764317700, 20, out var rec));
        Assert.Equal(26.2, rec.Reference(0));
        Assert.Equal(CalibrationResult.Ok, dop.Apply(rec));

        var same = new SoilMoistureProbe(2.5, 1.2).CreateProcedure();
        same.Capture(0, 1.8);
        same.Capture(1, 1.8);
        Assert.Equal(CalibrationResult.Degenerate, same.TryBuildRecord(null, 1, 25, out _));
    }

    [Theory]
    [InlineData("linear", CalibrationKind.Linear)]
    [InlineData("ph", CalibrationKind.Ph)]
    [InlineData("ec", CalibrationKind.Ec)]
    [InlineData("do", CalibrationKind.Do)]
    [InlineData("moisture", CalibrationKind.Moisture)]
    [InlineData("level", CalibrationKind.Level)]
    public void Kind_names_match_the_config_block(string name, CalibrationKind kind)
    {
        Assert.True(CalibrationKinds.TryParse(name, out var parsed));
        Assert.Equal(kind, parsed);
        Assert.Equal(name, CalibrationKinds.Name(kind));
        Assert.False(CalibrationKinds.TryParse("PH", out _));
    }

    [Fact]
    public void Every_calibratable_probe_offers_a_procedure_of_its_own_kind()
    {
        ICalibratable[] probes =
        {
            new PhProbe(), new EcProbe(EcCurve.Dfr0300), new DissolvedOxygenProbe(), new SoilMoistureProbe(2.5, 1.2),
            new CurrentLoopLevelProbe(120, 0, 5), new BatteryDivider(1, 1),
        };
        foreach (var p in probes)
        {
            var proc = p.CreateProcedure();
            Assert.Equal(p.CalibrationKind, proc.Kind);
            Assert.NotEmpty(proc.Steps);
            Assert.All(proc.Steps, s => Assert.False(string.IsNullOrEmpty(s.Instruction)));
            Assert.Null(p.CalibrationId);
        }
    }
}
