using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Tests.Node;

namespace IoTMonitor.Firmware.Host.Tests.Sensors;

/// <summary>
/// Virtual nodes carry the calibration records their simulated boards were built to, applied by
/// the core's drivers; a config made for a real node carries none, so its probes say so.
/// </summary>
public sealed class Calibration_Tests
{
    public static TheoryData<string> Types => new() { "water", "soil", "air" };

    [Theory]
    [MemberData(nameof(Types))]
    public void Virtual_node_readings_are_calibrated_and_analog_ones_carry_the_pin_volts(string type)
    {
        var node = new OfflineNode(type);
        var (_, readings) = node.Wake();
        Assert.All(readings, r => Assert.True((r.Flags & QualityFlags.Uncalibrated) == 0, $"{Quantities.Code(r.Quantity)}: flags {r.Flags}"));

        var config = Parse(node.Config);
        var analog = config.Sensors.Where(s => s.Kind is "analog" or "battery").SelectMany(s => s.Quantities).ToHashSet();
        Assert.NotEmpty(analog);
        foreach (var r in readings)
        {
            Assert.Equal(analog.Contains(r.Quantity), r.HasRaw);
            if (r.HasRaw)
            {
                Assert.InRange(r.Raw, 0.0, 3.3); // volts at an ESP32 pin
            }
        }

        Assert.Equal(DeviceConfigDocument.CalibrationId, config.BatchCalibrationId());
    }

    [Fact]
    public void A_config_for_a_real_node_has_no_records_and_its_probes_report_uncalibrated()
    {
        var json = DeviceConfigDocument.Build(new DeviceConfigRequest("test-site", "node-1", "water", "127.0.0.1", 1, "secret", SimulatedProbes: false));
        var config = Parse(Encoding.UTF8.GetBytes(json));
        Assert.All(config.Sensors, s => Assert.Null(s.Calibration));
        Assert.Null(config.BatchCalibrationId());

        var node = new OfflineNode("water", config: json);
        var (_, readings) = node.Wake();
        int Flags(int q) => readings.Single(r => r.Quantity == q).Flags;
        Assert.Equal(QualityFlags.Uncalibrated, Flags(Quantities.WaterPh)); // DFRobot defaults: a value, flagged
        Assert.Equal(QualityFlags.Uncalibrated | QualityFlags.NoValue, Flags(Quantities.WaterDo) & (QualityFlags.Uncalibrated | QualityFlags.NoValue)); // no default can stand in
        Assert.Equal(0, Flags(Quantities.WaterTemp)); // factory-calibrated: nothing to flag
    }

    [Fact]
    public void A_probe_in_a_standard_reads_the_standard_through_its_own_offset_until_taken_out()
    {
        var faults = new Dictionary<string, ProbeFault> { ["ph"] = new(ProbeFaultKind.Offset, 0, Offset: 0.4) };
        var node = new OfflineNode("water", faults);
        double Ph(double? standard)
        {
            var fresh = new OfflineNode("water", faults); // one sampling wake each
            if (standard is { } v)
            {
                fresh.Board.PutInStandard("water.ph", v);
                fresh.Board.TakeOutOfStandard("water.ph");
                fresh.Board.PutInStandard("water.ph", v);
            }

            return fresh.Wake().Readings.Single(r => r.Quantity == Quantities.WaterPh).Value;
        }

        Assert.InRange(Ph(7.0), 7.35, 7.45); // an aged electrode reads 0.4 high in the pH 7 buffer
        Assert.InRange(Ph(4.0), 4.35, 4.45);
        node.Board.PutInStandard("water.ph", 4.0);
        node.Board.TakeOutOfStandard("water.ph");
        var (_, readings) = node.Wake();
        var site = node.Env.Ph(node.Clock.TrueUtcMs / 1000.0) + 0.4;
        Assert.InRange(readings.Single(r => r.Quantity == Quantities.WaterPh).Value, site - 0.1, site + 0.1); // taken out: the site again
        Assert.Throws<ArgumentException>(() => node.Board.PutInStandard("air.pm25", 10));
    }

    private static DeviceConfig Parse(byte[] json)
    {
        var config = new DeviceConfig();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(json, 0, json.Length, config));
        return config;
    }
}
