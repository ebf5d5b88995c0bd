using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Host.Fleet;
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

    private static DeviceConfig Parse(byte[] json)
    {
        var config = new DeviceConfig();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(json, 0, json.Length, config));
        return config;
    }
}
