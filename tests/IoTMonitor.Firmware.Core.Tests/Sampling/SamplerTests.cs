using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Filters;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Calibration;
using IoTMonitor.Firmware.Core.Tests.Fakes;
using FakeAnalogInput = IoTMonitor.Firmware.Core.Tests.Fakes.Sensors.FakeAnalogInput;

namespace IoTMonitor.Firmware.Core.Tests.Sampling;

public class SamplerTests
{
    private static (Sampler, FakeSensorFactory, FakeClock) Setup(params SensorConfig[] configs)
    {
        var f = new FakeSensorFactory();
        foreach (var c in configs)
        {
            f.ById[c.Id] = new FakeSensor(c.Quantities.Length);
        }

        var s = new Sampler();
        s.Bind(configs, f);
        return (s, f, new FakeClock(1_764_316_800));
    }

    private static Reading[] Run(Sampler s, FakeClock clock, int sinceStartMs = 100_000)
    {
        s.StartAll(clock);
        s.WarmUp(clock, 600_000);
        var r = new Reading[16];
        int n = s.SampleAll(clock, 1_764_316_800, sinceStartMs, r, 0);
        return r[..n];
    }

    private static CalibrationRecord Record(string id, CalibrationKind kind, double tempC, params (double Raw, double Ref)[] points) =>
        new(id, kind, points.Select(p => p.Raw).ToArray(), points.Select(p => p.Ref).ToArray(), points.Length, 0, tempC, 0);

    [Fact]
    public void Median_of_samples_rejects_a_spike_and_keeps_the_pin_volts_as_raw()
    {
        var c = new SensorConfig
        {
            Id = "ph",
            Kind = "analog",
            Quantities = [Quantities.WaterPh],
            Samples = 5,
            Filter = FilterKind.Median,
            Calibration = Record("cal-ph", CalibrationKind.Ph, 25, (1.5, 7.0), (2.0, 4.0)),
        };
        var f = new FakeSensorFactory();
        var adc = new FakeAnalogInput { Sequence = i => i == 2 ? 1.0 : 1.5 };
        f.Drivers["ph"] = new AnalogProbeSensor(adc, new PhProbe());
        var s = new Sampler();
        s.Bind([c], f);
        var r = Run(s, new FakeClock(1_764_316_800)).Single();
        Assert.Equal(CalibrationResult.Ok, s.CalibrationOf(0));
        Assert.Equal(7.0, r.Value, 9);
        Assert.True(r.HasRaw);
        Assert.Equal(1.5, r.Raw);
        Assert.Equal(0, r.Flags);
    }

    [Fact]
    public void A_seven_in_one_soil_probe_yields_all_seven_quantities()
    {
        var probe = new SensorConfig
        {
            Id = "soil",
            Kind = "modbus",
            Quantities = [Quantities.SoilMoisture, Quantities.SoilTemp, Quantities.SoilEc, Quantities.SoilPh, Quantities.SoilN, Quantities.SoilP, Quantities.SoilK],
            Samples = 1,
        };
        var (s, f, clock) = Setup(probe);
        f.ById["soil"].Values = [23.5, 11.2, 845, 6.8, 37, 12, 104];
        var r = Run(s, clock);
        Assert.Equal(new[] { 23.5, 11.2, 845, 6.8, 37, 12, 104 }, r.Select(x => x.Value).ToArray());
        Assert.All(r, x => Assert.Equal(0, x.Flags));
    }

    [Fact]
    public void A_driver_with_more_channels_than_the_buffers_hold_is_reported_not_a_crash()
    {
        var wide = new SensorConfig { Id = "wide", Kind = "modbus", Quantities = [Quantities.SoilMoisture] };
        var f = new FakeSensorFactory();
        f.ById["wide"] = new FakeSensor(SensorConfig.MaxQuantities + 1);
        var s = new Sampler();
        s.Bind([wide], f);
        var r = Run(s, new FakeClock(1_764_316_800)).Single();
        Assert.Equal(QualityFlags.NoValue, r.Flags & QualityFlags.NoValue);
        Assert.Equal(0, f.ById["wide"].Reads);
    }

    [Fact]
    public void Plausibility_stuck_warmup_and_open_circuit_become_flags()
    {
        var temp = new SensorConfig { Id = "t", Kind = "ds18b20", Quantities = [Quantities.WaterTemp], Samples = 4, StuckSamples = 4, WarmupMs = 5000 };
        var level = new SensorConfig { Id = "l", Kind = "analog", Quantities = [Quantities.WaterLevel], Samples = 3 };
        var ph = new SensorConfig { Id = "p", Kind = "analog", Quantities = [Quantities.WaterPh], Samples = 3 };
        var (s, f, clock) = Setup(temp, level, ph);
        f.ById["t"].Values = [85.0];
        f.ById["l"].Values = [1.0];
        f.ById["p"].ReadResult = ReadResult.OpenCircuit;
        var r = Run(s, clock, sinceStartMs: 1000);
        Assert.Equal(QualityFlags.OutOfRange | QualityFlags.Stuck | QualityFlags.WarmingUp, r[0].Flags);
        Assert.Equal(85.0, r[0].Value);
        Assert.Equal(0, r[1].Flags);
        Assert.Equal(QualityFlags.NoValue, r[2].Flags);
    }

    [Fact]
    public void A_sensor_that_fails_initialize_or_has_no_driver_yields_no_value_for_each_quantity()
    {
        var bme = new SensorConfig { Id = "bme", Kind = "bme280", Quantities = [Quantities.AirTemp, Quantities.AirRh, Quantities.AirPressure] };
        var ghost = new SensorConfig { Id = "ghost", Kind = "unknown", Quantities = [Quantities.AirCo2] };
        var (s, f, clock) = Setup(bme);
        s.Bind([bme, ghost], f);
        f.ById["bme"].InitResult = ReadResult.NoResponse;
        var r = Run(s, clock);
        Assert.Equal(4, r.Length);
        Assert.All(r, x => Assert.Equal(QualityFlags.NoValue, x.Flags));
        Assert.Equal([Quantities.AirTemp, Quantities.AirRh, Quantities.AirPressure, Quantities.AirCo2], r.Select(x => x.Quantity));
    }

    [Fact]
    public void Ph_uses_the_water_temperature_of_the_same_round_even_when_configured_first()
    {
        var temp = new SensorConfig { Id = "t", Kind = "ds18b20", Quantities = [Quantities.WaterTemp], Samples = 1 };
        var ph = new SensorConfig
        {
            Id = "p",
            Kind = "analog",
            Quantities = [Quantities.WaterPh],
            Samples = 1,
            Calibration = Record("cal-ph", CalibrationKind.Ph, 25, (1.5, 7.0), (2.0, 4.0)),
        };
        var f = new FakeSensorFactory();
        var t = new FakeSensor(1) { Values = [5.0] };
        f.ById["t"] = t;
        var probe = new PhProbe();
        f.Drivers["p"] = new AnalogProbeSensor(new FakeAnalogInput { Volts = 2.0 }, probe);
        var s = new Sampler();
        s.Bind([ph, temp], f);
        var clock = new FakeClock(1_764_316_800);
        var r = Run(s, clock);
        Assert.Equal(7.0 - (3.0 * 298.15 / 278.15), r[0].Value, 9);
        Assert.Equal(5.0, probe.TemperatureC);

        // The next round has no temperature: the probe is not left on the old one but on 25 °C.
        t.ReadResult = ReadResult.NoResponse;
        r = Run(s, clock);
        Assert.Equal(QualityFlags.NoValue, r[1].Flags & QualityFlags.NoValue);
        Assert.Equal(4.0, r[0].Value, 9);
        Assert.Equal(TemperatureCompensation.ReferenceC, probe.TemperatureC);
    }

    [Fact]
    public void A_calibrated_value_is_the_drivers_conversion_applied_once()
    {
        // EC + TDS from one probe, calibrated K and compensated to 25 °C by the driver: the reading
        // is exactly what the driver computes for the same volts and temperature, nothing on top.
        var temp = new SensorConfig { Id = "t", Kind = "ds18b20", Quantities = [Quantities.WaterTemp], Samples = 1 };
        var ec = new SensorConfig
        {
            Id = "ec",
            Kind = "analog",
            Quantities = [Quantities.WaterEc, Quantities.WaterTds],
            Samples = 3,
            Calibration = new CalibrationRecord("cal-ec", CalibrationKind.Ec, [0.25], [1413], 1, 0.0185, 22.0, 1_764_000_000),
        };
        var f = new FakeSensorFactory();
        f.ById["t"] = new FakeSensor(1) { Values = [18.0] };
        f.Drivers["ec"] = new AnalogProbeSensor(new FakeAnalogInput { Volts = 0.3 }, new EcProbe(EcCurve.Dfr0300));
        var s = new Sampler();
        s.Bind([temp, ec], f);
        var r = Run(s, new FakeClock(1_764_316_800));

        var reference = new EcProbe(EcCurve.Dfr0300) { TemperatureC = 18.0 };
        Assert.Equal(CalibrationResult.Ok, reference.Apply(ec.Calibration));
        var expected = new double[2];
        reference.Convert(0.3, expected);
        Assert.Equal(expected[0], r[1].Value, 9);
        Assert.Equal(expected[1], r[2].Value, 9);
        Assert.Equal((0.3, 0.3), (r[1].Raw, r[2].Raw)); // one measurement behind both channels
        Assert.All(r, x => Assert.Equal(0, x.Flags));
    }

    [Fact]
    public void A_calibratable_probe_without_a_record_or_with_one_it_refuses_is_flagged_uncalibrated()
    {
        var bare = new SensorConfig { Id = "ph", Kind = "analog", Quantities = [Quantities.WaterPh], Samples = 1 };
        var refused = new SensorConfig
        {
            Id = "ec",
            Kind = "analog",
            Quantities = [Quantities.WaterEc],
            Samples = 1,
            Calibration = Record("cal-wrong", CalibrationKind.Ph, 25, (1.5, 7.0), (2.0, 4.0)),
        };
        var f = new FakeSensorFactory();
        f.Drivers["ph"] = new AnalogProbeSensor(new FakeAnalogInput { Volts = 1.5 }, new PhProbe());
        f.Drivers["ec"] = new AnalogProbeSensor(new FakeAnalogInput { Volts = 0.2 }, new EcProbe(EcCurve.Dfr0300));
        var s = new Sampler();
        s.Bind([bare, refused], f);
        var r = Run(s, new FakeClock(1_764_316_800));

        Assert.Equal((CalibrationResult.Incomplete, CalibrationResult.WrongKind), (s.CalibrationOf(0), s.CalibrationOf(1)));
        Assert.Equal(QualityFlags.Uncalibrated, r[0].Flags);
        Assert.Equal(7.0, r[0].Value, 9); // vendor defaults still give a value
        Assert.True(r[0].HasRaw);
        Assert.Equal(QualityFlags.Uncalibrated, r[1].Flags);
    }

    [Fact]
    public void A_record_for_a_driver_that_takes_none_is_flagged_and_a_factory_calibrated_one_is_not()
    {
        var temp = new SensorConfig { Id = "t", Kind = "ds18b20", Quantities = [Quantities.WaterTemp], Samples = 1 };
        var offset = new SensorConfig
        {
            Id = "t2",
            Kind = "ds18b20",
            Quantities = [Quantities.WaterTemp],
            Samples = 1,
            Calibration = Record("cal-t", CalibrationKind.Linear, 25, (0, 0.5)),
        };
        var (s, _, clock) = Setup(temp, offset);
        var r = Run(s, clock);
        Assert.Equal(0, r[0].Flags);
        Assert.False(r[0].HasRaw);
        Assert.Equal(CalibrationResult.WrongKind, s.CalibrationOf(1));
        Assert.Equal(QualityFlags.Uncalibrated, r[1].Flags);
        Assert.Equal(1.0, r[1].Value); // the record is not applied anywhere else either
    }
}
