using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Time;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Tests.Node;

namespace IoTMonitor.Firmware.Host.Tests.Sensors;

/// <summary>
/// The whole sensor chain of a virtual node — simulated front-end → the core's real driver →
/// sampler, filter and calibration — gives back the simulated environment's values.
/// </summary>
public sealed class SensorChain_Tests
{
    public static TheoryData<string> Types => new() { "water", "soil", "air" };

    [Theory]
    [MemberData(nameof(Types))]
    public void Every_configured_quantity_comes_back_as_the_simulated_value(string type)
    {
        var node = new OfflineNode(type);
        var (result, readings) = node.Wake();

        Assert.Equal(0, result.ConfigError);
        Assert.Empty(node.Sensors.MissingKinds);
        Assert.Equal(result.Sampled, readings.Length);
        Assert.True(readings.Length >= 4, $"only {readings.Length} readings");
        var t = readings[0].Time;
        foreach (var r in readings)
        {
            var code = Quantities.Code(r.Quantity);
            Assert.True((r.Flags & (QualityFlags.NoValue | QualityFlags.OutOfRange | QualityFlags.SensorFault)) == 0, $"{code}: flags {r.Flags}");
            var (expected, tolerance) = Truth(node, code, t);
            Assert.True(Math.Abs(r.Value - expected) <= tolerance, $"{code}: read {r.Value}, simulated {expected} ± {tolerance}");
        }
    }

    [Fact]
    public void The_water_probes_are_read_through_the_simulated_ads1115()
    {
        var node = new OfflineNode("water");
        var (_, readings) = node.Wake();

        // pH, EC, DO and turbidity: 5 samples each, one single-shot conversion per sample
        Assert.NotNull(node.Board.Ads1115);
        Assert.Equal(4 * 5, node.Board.Ads1115!.Conversions);
        Assert.Contains(readings, r => r.Quantity == Quantities.WaterEc && r.Flags == 0);
    }

    [Fact]
    public void The_simulated_ads1115_quantizes_like_table_3()
    {
        var ads = new SimulatedAds1115();
        ads.Connect(2, new Fixed(0.083333));
        var bus = new SimulatedI2cBus();
        bus.Attach(0x48, ads);
        var adc = new IoTMonitor.Firmware.Core.Sensors.Ads1115.Ads1115Adc(bus, 0x48, new Ms());
        Assert.Equal(ReadResult.Ok, adc.Convert(6, 4, 4, out var v)); // AIN2, ±0.512 V
        Assert.Equal(5333 * 15.625e-6, v, 12); // 0.083333 V / 15.625 µV = 5333.3 → 5333
        Assert.Equal(2, adc.LastPolls); // busy once, then idle
        ads.Connect(2, new Fixed(0.6));
        Assert.Equal(ReadResult.OutOfRange, adc.Convert(6, 4, 4, out v)); // clipped at 7FFFh
        Assert.Equal(0.512 * 32767 / 32768, v, 12);
    }

    private sealed class Fixed(double volts) : IAnalogInput
    {
        public bool TryReadVolts(out double v)
        {
            v = volts;
            return true;
        }
    }

    private sealed class Ms : IClock
    {
        public long Millis => Environment.TickCount64;

        public long UtcSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        public void Sleep(int ms) => Thread.Sleep(ms);
    }

    [Fact]
    public void A_failed_probe_gives_no_value_and_the_rest_still_read()
    {
        var faults = new Dictionary<string, ProbeFault> { ["ph"] = new(ProbeFaultKind.Failed, 0) };
        var node = new OfflineNode("water", faults);
        var (_, readings) = node.Wake();

        var ph = readings.Single(r => r.Quantity == Quantities.WaterPh);
        Assert.True((ph.Flags & QualityFlags.NoValue) != 0, $"pH flags {ph.Flags}");
        var temp = readings.Single(r => r.Quantity == Quantities.WaterTemp);
        Assert.Equal(0, temp.Flags);
    }

    [Fact]
    public void A_stuck_probe_is_flagged_stuck()
    {
        var faults = new Dictionary<string, ProbeFault> { ["turbidity"] = new(ProbeFaultKind.Stuck, 0) };
        var node = new OfflineNode("water", faults);
        var (_, readings) = node.Wake();

        var turbidity = readings.Single(r => r.Quantity == Quantities.WaterTurbidity);
        Assert.True((turbidity.Flags & QualityFlags.Stuck) != 0, $"turbidity flags {turbidity.Flags}");
    }

    [Fact]
    public void A_drifting_probe_reads_off_by_its_drift()
    {
        var start = 1_750_000_000_000;
        var faults = new Dictionary<string, ProbeFault> { ["temp"] = new(ProbeFaultKind.Drift, (start / 1000) - (10 * 86400), DriftPerDay: 0.5) };
        var node = new OfflineNode("water", faults, start);
        var (_, readings) = node.Wake();

        var temp = readings.Single(r => r.Quantity == Quantities.WaterTemp);
        var truth = node.Env.WaterTempC(temp.Time);
        Assert.InRange(temp.Value - truth, 4.8, 5.2);
    }

    private static (double Value, double Tolerance) Truth(OfflineNode n, string code, long t)
    {
        var e = n.Env;
        return code switch
        {
            "water.temp" => (e.WaterTempC(t), 0.07),
            "water.ph" => (e.Ph(t), 0.03),
            "water.ec" => (e.EcUsPerCm(t), 15),
            "water.tds" => (e.EcUsPerCm(t) / 2, 8),
            "water.turbidity" => (e.TurbidityNtu(t), 3),
            "water.do" => (e.DoMgL(t), 0.05),
            "water.level" => (e.WaterLevelM(t), 0.02),
            "soil.moisture" => (e.SoilMoistureVwc(t), 0.06),
            "soil.temp" => (e.SoilTempC(t), 0.06),
            "soil.ec" => (e.Soil(t).EcUsPerCm, 0.6),
            "soil.ph" => (e.Soil(t).Ph, 0.06),
            "soil.n" => (e.Soil(t).N, 0.6), // registers hold whole mg/kg
            "soil.p" => (e.Soil(t).P, 0.6),
            "soil.k" => (e.Soil(t).K, 0.6),
            "air.temp" => (e.AirTempC(t), 0.02),
            "air.rh" => (e.RelativeHumidity(t), 0.2),
            "air.pressure" => (e.PressureHpa(t), 0.05),
            "air.pm1" => (e.Dust(t).Pm1, 1),
            "air.pm25" => (e.Dust(t).Pm25, 1),
            "air.pm10" => (e.Dust(t).Pm10, 1),
            "device.battery" => (n.Battery.Volts, 0.01),
            _ => throw new InvalidOperationException("unexpected quantity " + code),
        };
    }
}
