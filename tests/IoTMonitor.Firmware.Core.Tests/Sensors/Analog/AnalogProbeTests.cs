using System.Diagnostics;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Calibration;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Analog;

/// <summary>
/// Expected figures are computed here from the formulas of reference B7 (DFRobot libraries,
/// USGS memo, NAMUR NE43); the probes have no published worked examples.
/// </summary>
public class AnalogProbeTests
{
    private static readonly double[] V = new double[2];

    private static (ReadResult Result, double Value) Run(IAnalogProbe p, double volts)
    {
        Array.Clear(V);
        var r = p.Convert(volts, V);
        return (r, V[0]);
    }

    private static CalibrationRecord Record(CalibrationKind kind, double tempC, params double[] rawRef)
    {
        int n = rawRef.Length / 2;
        return new CalibrationRecord("cal-test", kind, rawRef.Where((_, i) => i % 2 == 0).ToArray(),
            rawRef.Where((_, i) => i % 2 == 1).ToArray(), n, 0, tempC, 1764317700);
    }

    [Theory]
    [InlineData(25.0, 59.16)]
    [InlineData(0.0, 54.1994)]
    [InlineData(50.0, 64.1206)]
    public void Nernst_slope_scales_with_absolute_temperature(double t, double mv)
    {
        Assert.Equal(mv, PhProbe.NernstSlopeMvPerPh(t), 4);
    }

    [Fact]
    public void Ph_defaults_are_the_DFRobot_line_and_compensate_temperature()
    {
        var p = new PhProbe();
        Assert.Equal(7.0, Run(p, 1.5).Value, 10);
        Assert.Equal(4.0, Run(p, 2.03244).Value, 10);
        Assert.Equal(10.0, Run(p, 1.5 - (3 * 0.17748)).Value, 10);
        p.TemperatureC = 50;
        // 7 + (4 − 7)·298.15/323.15
        Assert.Equal(4.23209, Run(p, 2.03244).Value, 5);
        Assert.Equal(7.0, Run(p, 1.5).Value, 10); // the isopotential point does not move
        Assert.Null(p.CalibrationId);
        Assert.Equal(ReadResult.OpenCircuit, Run(p, 0.0).Result);
        Assert.Equal(ReadResult.OutOfRange, Run(p, 3.0).Result);
    }

    [Fact]
    public void Ph_three_point_calibration_is_piecewise()
    {
        var p = new PhProbe();
        Assert.Equal(CalibrationResult.Ok, p.Apply(Record(CalibrationKind.Ph, 25, 1.5, 7, 2.0, 4, 1.0, 10.5)));
        Assert.Equal(8.75, Run(p, 1.25).Value, 10); // lower segment: 10.5 + 0.25·(−3.5/0.5)
        Assert.Equal(5.5, Run(p, 1.75).Value, 10); // upper segment
        Assert.Equal(10.5, Run(p, 1.0).Value, 10);
        Assert.Equal("cal-test", p.CalibrationId);

        Assert.Equal(CalibrationResult.Degenerate, p.Apply(Record(CalibrationKind.Ph, 25, 1.5, 7, 2.0, 4, 2.5, 6)));
        Assert.Equal(CalibrationResult.Degenerate, p.Apply(Record(CalibrationKind.Ph, 25, 1.5, 7, 1.5, 4)));
        Assert.Equal(CalibrationResult.WrongKind, p.Apply(Record(CalibrationKind.Ec, 25, 1.5, 7, 2.0, 4)));
        Assert.Equal(8.75, Run(p, 1.25).Value, 10); // the old calibration stays
    }

    [Fact]
    public void Ec_curves_temperature_compensation_and_tds()
    {
        var dfr = new EcProbe(EcCurve.Dfr0300);
        Assert.Equal(6097.561, Run(dfr, 1.0).Value, 3); // 1000·1000 mV/820/200 mS/cm
        var tds = new EcProbe(EcCurve.GravityTds) { TemperatureC = 30 };
        Assert.Equal(ReadResult.Ok, tds.Convert(1.0, V));
        Assert.Equal(734.95 / 1.1, V[0], 6); // 2 %/°C to 25 °C
        Assert.Equal(734.95 / 1.1 * 0.5, V[1], 6);
        Assert.Equal(2, tds.ChannelCount);
    }

    [Fact]
    public void Ec_calibration_fits_K_and_respects_the_board_limits()
    {
        var p = new EcProbe(EcCurve.GravityTds);
        var proc = p.CreateProcedure();
        Assert.Equal(1413, proc.Steps[0].ReferenceValue);
        Assert.Equal(CalibrationResult.Ok, proc.Capture(0, 1.5));
        Assert.Equal(CalibrationResult.Ok, proc.TryBuildRecord("ec-site7", 1764317700, 25.0, out var rec));
        Assert.Equal(0.02, rec.TempCoeff);
        Assert.Equal(CalibrationResult.Ok, p.Apply(rec));
        Assert.Equal(1413 / 1160.6925, p.K, 9);
        Assert.Equal(1413, Run(p, 1.5).Value, 6);
        Assert.Equal(CalibrationResult.OutOfLimits, p.Apply(Record(CalibrationKind.Ec, 25, 0.1, 1413)));
        Assert.Equal(CalibrationResult.OutOfLimits, new EcProbe(EcCurve.Dfr0300).Apply(Record(CalibrationKind.Ec, 25, 1.0, 1413)));
    }

    [Theory]
    [InlineData(3.0, 2790.4, ReadResult.Ok)]
    [InlineData(4.2, 0.904, ReadResult.Ok)]
    [InlineData(4.5, 0.0, ReadResult.Ok)]
    [InlineData(2.0, 3000.0, ReadResult.OutOfRange)]
    public void Turbidity_follows_the_vendor_curve(double probeVolts, double ntu, ReadResult result)
    {
        var p = new TurbidityProbe(2.0); // pin sees half the probe voltage
        var (r, v) = Run(p, probeVolts / 2);
        Assert.Equal(result, r);
        Assert.Equal(ntu, v, 3);
        Assert.Equal(ReadResult.OpenCircuit, Run(p, 0.01).Result);
    }

    [Fact]
    public void Dissolved_oxygen_uses_the_saturation_table_and_calibration()
    {
        var p = new DissolvedOxygenProbe();
        Assert.Equal(ReadResult.Fault, Run(p, 1.0).Result); // uncalibrated: no number
        Assert.Equal(CalibrationResult.Ok, p.Apply(Record(CalibrationKind.Do, 25, 1.6, 25)));
        Assert.Equal(8.25, Run(p, 1.6).Value, 9);
        Assert.Equal(4.125, Run(p, 0.8).Value, 9);
        p.TemperatureC = 20.5; // table 8990 µg/L interpolated; V_sat = 1600 + 35·(−4.5) mV
        Assert.Equal(8.99, Run(p, 1.4425).Value, 9);
        p.PressureHpa = 700;
        Assert.Equal(0.690788, DissolvedOxygenProbe.PressureFactor(700), 6);
        Assert.Equal(8.99 * 0.690788, Run(p, 1.4425).Value, 6);
        p.TemperatureC = 45;
        Assert.Equal(ReadResult.OutOfRange, Run(p, 1.4).Result);

        var two = new DissolvedOxygenProbe { TemperatureC = 20 };
        Assert.Equal(CalibrationResult.Ok, two.Apply(Record(CalibrationKind.Do, 25, 1.6, 25, 1.3, 15)));
        Assert.Equal(9.08, Run(two, 1.45).Value, 9); // V_sat(20 °C) = 1450 mV on the line
        Assert.Equal(CalibrationResult.Degenerate, two.Apply(Record(CalibrationKind.Do, 25, 1.6, 25, 1.3, 25)));
        Assert.Equal(ReadResult.ShortCircuit, Run(two, 3.3).Result);
    }

    [Fact]
    public void Soil_moisture_is_linear_between_dry_and_wet_and_clamped()
    {
        var p = new SoilMoistureProbe(2.54, 1.27);
        Assert.Equal(50.0, Run(p, 1.905).Value, 9);
        Assert.Equal((ReadResult.Ok, 0.0), Run(p, 2.6));
        Assert.Equal((ReadResult.OutOfRange, 0.0), Run(p, 2.8));
        Assert.Equal((ReadResult.OutOfRange, 100.0), Run(p, 1.0));
        Assert.Equal(ReadResult.OpenCircuit, Run(p, 0.0).Result);

        var proc = p.CreateProcedure();
        proc.Capture(0, 2.2);
        proc.Capture(1, 1.1);
        Assert.Equal(CalibrationResult.Ok, proc.TryBuildRecord(null, 1764317700, 25, out var rec));
        Assert.Equal("moisture-1764317700", rec.Id);
        Assert.Equal(CalibrationResult.Ok, p.Apply(rec));
        Assert.Equal(50.0, Run(p, 1.65).Value, 9);
    }

    [Theory]
    [InlineData(12.0, ReadResult.Ok, 2.5)]
    [InlineData(4.0, ReadResult.Ok, 0.0)]
    [InlineData(20.0, ReadResult.Ok, 5.0)]
    [InlineData(3.9, ReadResult.OutOfRange, -0.03125)]
    [InlineData(20.4, ReadResult.OutOfRange, 5.125)]
    [InlineData(3.7, ReadResult.FaultWithValue, -0.09375)]
    [InlineData(20.8, ReadResult.FaultWithValue, 5.25)]
    [InlineData(3.5, ReadResult.OpenCircuit, double.NaN)]
    [InlineData(0.0, ReadResult.OpenCircuit, double.NaN)]
    [InlineData(22.0, ReadResult.ShortCircuit, double.NaN)]
    public void Level_loop_follows_NE43(double ma, ReadResult result, double metres)
    {
        var p = new CurrentLoopLevelProbe(120, 0, 5);
        Array.Fill(V, double.NaN);
        Assert.Equal(result, p.Convert(ma * 0.120, V));
        Assert.Equal(metres, V[0], 9);
        Assert.Equal(ma, p.LastMilliamps, 9);
    }

    [Fact]
    public void Level_and_battery_calibrate_from_two_and_one_point()
    {
        var level = new CurrentLoopLevelProbe(100, 0, 10);
        Assert.Equal(CalibrationResult.Ok, level.Apply(Record(CalibrationKind.Level, 25, 0.5, 0.2, 1.5, 6.2)));
        Assert.Equal(3.2, Run(level, 1.0).Value, 9);

        var bat = new BatteryDivider(100_000, 100_000);
        Assert.Equal(2.0, bat.Ratio);
        Assert.Equal(3.8, Run(bat, 1.9).Value, 12);
        Assert.Equal(ReadResult.OutOfRange, Run(bat, 2.6).Result);
        Assert.Equal(ReadResult.OpenCircuit, Run(bat, 0.0).Result);
        Assert.Equal(CalibrationResult.Ok, bat.Apply(Record(CalibrationKind.Linear, 25, 1.9, 3.88)));
        Assert.Equal(3.88, Run(bat, 1.9).Value, 12);
    }

    /// <summary>
    /// A radar level gauge with a 4–20 mA output set to distance (air gap: 4 mA = 0 m, 20 mA = 10 m
    /// below the antenna), mounted on a bridge 6.0 m above the gauge datum, read by the same loop
    /// probe: the two-point level record maps the falling current-to-level line (Sensors/Analog README,
    /// "Radar or pressure"). Loop faults still come from the current.
    /// </summary>
    [Fact]
    public void A_radar_in_distance_mode_reads_through_the_level_record()
    {
        var radar = new CurrentLoopLevelProbe(120, 0, 10);
        // 4 mA (0.48 V): air gap 0 m, level 6.0 m; 20 mA (2.40 V): air gap 10 m, level −4.0 m
        Assert.Equal(CalibrationResult.Ok, radar.Apply(Record(CalibrationKind.Level, 25, 0.48, 6.0, 2.40, -4.0)));
        Assert.Equal(1.0, Run(radar, 12.0 * 0.120).Value, 9); // 12 mA: 5 m air gap → 1.0 m on the datum
        Assert.Equal(5.375, Run(radar, 5.0 * 0.120).Value, 9); // stream rising to 0.625 m below the antenna
        Assert.Equal(ReadResult.OpenCircuit, Run(radar, 0.0).Result); // a cut cable is no "dry stream"
    }

    [Fact]
    public void Sensor_reads_the_pin_keeps_the_volts_and_reports_adc_failure()
    {
        var adc = new FakeAnalogInput { Volts = 1.5 };
        var ph = new PhProbe();
        var s = new AnalogProbeSensor(adc, ph, 2000);
        var raw = new double[1];
        Assert.Equal(ReadResult.NotInitialized, s.Read(raw));
        Assert.Equal(ReadResult.Ok, s.Initialize());
        Assert.Equal(ReadResult.Ok, s.Start());
        Assert.Equal(2000, s.WarmupMs);
        Assert.Equal(ReadResult.Ok, s.Read(raw));
        Assert.Equal(7.0, raw[0], 10);
        Assert.Equal(1.5, s.LastVolts);
        Assert.Null(s.CalibrationId);
        ph.Apply(Record(CalibrationKind.Ph, 25, 1.5, 7, 2.0, 4));
        Assert.Equal("cal-test", s.CalibrationId);
        adc.Fails = true;
        Assert.Equal(ReadResult.BusError, s.Read(raw));
        Assert.Null(new AnalogProbeSensor(adc, new TurbidityProbe(1)).CalibrationId);
        s.Sleep();
    }

    [Fact]
    public void Read_allocates_nothing()
    {
        var adc = new FakeAnalogInput { Volts = 1.2 };
        IAnalogProbe[] probes =
        {
            new PhProbe(), new EcProbe(EcCurve.GravityTds), new TurbidityProbe(2), new SoilMoistureProbe(2.5, 1.2),
            new CurrentLoopLevelProbe(120, 0, 5), new BatteryDivider(1, 1), new DissolvedOxygenProbe(),
        };
        ((DissolvedOxygenProbe)probes[6]).Apply(Record(CalibrationKind.Do, 25, 1.6, 25));
        var sensors = probes.Select(p => new AnalogProbeSensor(adc, p)).ToArray();
        var raw = new double[2];
        foreach (var s in sensors)
        {
            s.Initialize();
            s.Read(raw);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            foreach (var s in sensors)
            {
                s.Read(raw);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Fuzz_any_voltage_never_throws_and_values_are_finite_when_present()
    {
        var rng = new Random(7);
        IAnalogProbe[] probes =
        {
            new PhProbe(), new EcProbe(EcCurve.Dfr0300), new TurbidityProbe(2), new SoilMoistureProbe(2.5, 1.2),
            new CurrentLoopLevelProbe(120, 0, 5), new BatteryDivider(1, 1), new DissolvedOxygenProbe(),
        };
        ((DissolvedOxygenProbe)probes[6]).Apply(Record(CalibrationKind.Do, 25, 1.6, 25));
        double[] specials = { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1, 0, 1e300, -0.0 };
        var sw = Stopwatch.StartNew();
        var values = new double[2];
        for (int i = 0; i < FrameFuzz.Cases; i++)
        {
            double v = i % 10 == 0 ? specials[rng.Next(specials.Length)] : (rng.NextDouble() * 4) - 0.5;
            var p = probes[i % probes.Length];
            Array.Fill(values, double.NaN);
            var r = p.Convert(v, values);
            if (ReadResultQuality.HasValue(r) && double.IsFinite(v) && Math.Abs(v) < 100)
            {
                Assert.True(double.IsFinite(values[0]), $"{p.GetType().Name} {v} → {values[0]}");
            }
        }

        FrameFuzz.AssertWithinBound(sw);
    }

    [Fact]
    public void Turbidity_calibration_replaces_the_vendor_curve_by_the_standards()
    {
        var p = new TurbidityProbe(2.0);
        Assert.Equal(CalibrationKind.Linear, p.CalibrationKind);
        var proc = p.CreateProcedure();
        Assert.Equal(new[] { 0.0, 100.0, 1000.0 }, proc.Steps.Select(x => x.ReferenceValue));
        Assert.Equal(CalibrationResult.OutOfWindow, proc.Capture(0, 1.9)); // 3.8 V at the probe: dirty window
        Assert.Equal(CalibrationResult.Ok, proc.Capture(0, 2.1));
        Assert.Equal(CalibrationResult.Ok, proc.Capture(1, 2.0865));
        Assert.Equal(CalibrationResult.Ok, proc.Capture(2, 1.95));
        Assert.Equal(CalibrationResult.Ok, proc.TryBuildRecord("cal-20261120-turb", 1764317700, 25, out var rec));
        Assert.Equal(CalibrationResult.Ok, p.Apply(rec));
        Assert.Equal("cal-20261120-turb", p.CalibrationId);
        Assert.Equal(0.0, Run(p, 2.1).Value, 9);
        Assert.Equal(50.0, Run(p, 2.09325).Value, 6);
        Assert.Equal(550.0, Run(p, 2.01825).Value, 6);
        Assert.Equal((ReadResult.Ok, 0.0), Run(p, 2.2)); // clearer than the 0 NTU water: clamped
        Assert.Equal(ReadResult.OpenCircuit, Run(p, 0.0).Result);

        // NTU rising with volts is a swapped bottle or a fouled window, not a curve; the old one stays.
        Assert.Equal(CalibrationResult.Degenerate, p.Apply(Record(CalibrationKind.Linear, 25, 2.1, 0, 2.0, 0)));
        Assert.Equal(CalibrationResult.Degenerate, p.Apply(Record(CalibrationKind.Linear, 25, 1.9, 0, 2.1, 100)));
        Assert.Equal(CalibrationResult.Degenerate, p.Apply(Record(CalibrationKind.Linear, 25, 2.1, 0)));
        Assert.Equal(CalibrationResult.WrongKind, p.Apply(Record(CalibrationKind.Ph, 25, 2.1, 0, 2.0, 100)));
        Assert.Equal(50.0, Run(p, 2.09325).Value, 6);
    }

    [Fact]
    public void Battery_with_two_points_absorbs_an_adc_offset()
    {
        var bat = new BatteryDivider(100_000, 100_000);
        // The ADC reads 20 mV high: 3.6 V gives 1.82 V at the pin, 4.1 V gives 2.07 V.
        Assert.Equal(CalibrationResult.Ok, bat.Apply(Record(CalibrationKind.Linear, 25, 2.07, 4.1, 1.82, 3.6)));
        Assert.Equal(3.6, Run(bat, 1.82).Value, 12);
        Assert.Equal(3.85, Run(bat, 1.945).Value, 12);
        Assert.Equal(4.2, Run(bat, 2.12).Value, 12); // extrapolated from the end segment
        Assert.Equal(CalibrationResult.Degenerate, bat.Apply(Record(CalibrationKind.Linear, 25, 1.9, 3.6, 1.9, 3.7)));
    }

    [Fact]
    public void Ec_with_two_standards_takes_the_cell_factor_of_the_range()
    {
        var p = new EcProbe(EcCurve.Dfr0300);
        // Raw EC: 0.2 V → 1219.5 µS/cm, 2.0 V → 12195 µS/cm; standards read 10 % low, then 20 % low.
        double low = 0.2 * 1e6 / 164.0, high = 2.0 * 1e6 / 164.0;
        Assert.Equal(CalibrationResult.Ok, p.Apply(Record(CalibrationKind.Ec, 25, 2.0, high * 1.2, 0.2, low * 1.1)));
        Assert.Equal((1.1, 1.2), (p.K, p.KHigh));
        Assert.Equal(low * 1.1, Run(p, 0.2).Value, 6);
        Assert.Equal(0.1 * 1e6 / 164.0 * 1.1, Run(p, 0.1).Value, 6); // below the lower standard: K_low
        Assert.Equal(3.0 * 1e6 / 164.0 * 1.2, Run(p, 3.0).Value, 6); // above the upper: K_high
        Assert.Equal(1.1 * 1e6 / 164.0 * 1.15, Run(p, 1.1).Value, 6); // halfway: K halfway
        Assert.Equal(CalibrationResult.OutOfLimits, p.Apply(Record(CalibrationKind.Ec, 25, 0.2, low, 2.0, high * 2)));
        Assert.Equal(CalibrationResult.Degenerate, p.Apply(Record(CalibrationKind.Ec, 25, 0.2, low, 0.2, high)));
        Assert.Equal((1.1, 1.2), (p.K, p.KHigh)); // refused records leave the calibration as it was
    }

    [Fact]
    public void Calibrated_probes_convert_without_allocating()
    {
        var turbidity = new TurbidityProbe(2);
        turbidity.Apply(Record(CalibrationKind.Linear, 25, 2.1, 0, 2.0, 100, 1.9, 1000));
        var battery = new BatteryDivider(1, 1);
        battery.Apply(Record(CalibrationKind.Linear, 25, 1.8, 3.6, 2.0, 4.0));
        var ec = new EcProbe(EcCurve.Dfr0300);
        ec.Apply(Record(CalibrationKind.Ec, 25, 0.2, 1219.5, 2.0, 12195));
        IAnalogProbe[] probes = { turbidity, battery, ec };
        var values = new double[2];
        foreach (var p in probes)
        {
            p.Convert(1.95, values);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            foreach (var p in probes)
            {
                p.Convert(1.9 + (i * 0.0001), values);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
