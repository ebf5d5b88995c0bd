using IoTMonitor.Firmware.Core.Calibration;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Filters;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Tests.Fakes;

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
        s.StartAll();
        var r = new Reading[16];
        int n = s.SampleAll(clock, 1_764_316_800, sinceStartMs, r, 0);
        return r[..n];
    }

    [Fact]
    public void Median_of_samples_rejects_a_spike_and_keeps_raw_beside_calibrated()
    {
        var c = new SensorConfig
        {
            Id = "ph",
            Kind = "analog",
            Quantities = [Quantities.WaterPh],
            Samples = 5,
            Filter = FilterKind.Median,
            Calibration = new CalibrationConfig { Kind = CalibrationKind.Linear, Raw = [1.5, 2.0], Reference = [7.0, 4.0] },
        };
        var (s, f, clock) = Setup(c);
        f.ById["ph"].Sequence = i => [i == 2 ? 3.0 : 1.5];
        var r = Run(s, clock).Single();
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
    public void Ph_uses_the_water_temperature_of_the_same_round()
    {
        var temp = new SensorConfig { Id = "t", Kind = "ds18b20", Quantities = [Quantities.WaterTemp], Samples = 1 };
        var ph = new SensorConfig
        {
            Id = "p",
            Kind = "analog",
            Quantities = [Quantities.WaterPh],
            Samples = 1,
            Calibration = new CalibrationConfig { Kind = CalibrationKind.Ph, Raw = [1.5, 2.0], Reference = [7.0, 4.0] },
        };
        var (s, f, clock) = Setup(ph, temp);
        f.ById["t"].Values = [5.0];
        f.ById["p"].Values = [2.0];
        var r = Run(s, clock);
        Assert.Equal(7.0 - (3.0 * 298.15 / 278.15), r[0].Value, 9);
    }
}
