using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Tests.Node;

namespace IoTMonitor.Firmware.Host.Tests.Sensors;

/// <summary>
/// The ESP32 app and the virtual node share one kind → driver mapping (the core's SensorCatalog):
/// every sensor of the ESP32 default configs and of the fleet configs resolves on the virtual
/// node's simulated board to the driver the catalog builds on any other board.
/// </summary>
public sealed class SensorCatalog_Tests
{
    public static TheoryData<string, string> Configs()
    {
        var data = new TheoryData<string, string>();
        foreach (var type in new[] { "water", "soil", "air" })
        {
            data.Add(type, "firmware/IoTMonitor.Firmware/config/" + type + ".json");
            data.Add(type, "fleet");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_sensor_resolves_to_the_same_driver_on_the_simulated_board_as_on_any_board(string type, string source)
    {
        var node = new OfflineNode(type, config: Document(type, source));
        var config = new DeviceConfig();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(node.Config, 0, node.Config.Length, config));
        var stub = new StubBuses();
        var anyBoard = new SensorCatalog(stub, stub);
        Assert.NotEmpty(config.Sensors);
        foreach (var s in config.Sensors)
        {
            var expected = anyBoard.Create(s);
            var simulated = node.Sensors.Create(s);
            Assert.True(expected is not null, $"{source}: {s.Id} ({s.Kind}) has no driver in the catalog");
            Assert.True(simulated is not null, $"{source}: {s.Id} ({s.Kind}) has no driver on the simulated {type} board");
            Assert.Equal(DriverName(expected), DriverName(simulated));
            Assert.Equal(expected.ChannelCount, simulated.ChannelCount);
        }

        Assert.Empty(node.Sensors.MissingKinds);
    }

    [Fact]
    public void The_esp32_soil_config_reads_ec_and_npk_from_their_own_registers()
    {
        // That config lists EC, N, P, K of the 7-in-1 probe; matched by position they were moisture,
        // temperature, EC and pH.
        var node = new OfflineNode("soil", config: Document("soil", "firmware/IoTMonitor.Firmware/config/soil.json"));
        var (_, readings) = node.Wake();
        var t = readings[0].Time;
        var soil = node.Env.Soil(t);
        double Value(int q) => readings.Single(r => r.Quantity == q).Value;
        Assert.InRange(Value(Quantities.SoilEc), soil.EcUsPerCm - 0.6, soil.EcUsPerCm + 0.6);
        Assert.InRange(Value(Quantities.SoilN), soil.N - 0.6, soil.N + 0.6);
        Assert.InRange(Value(Quantities.SoilP), soil.P - 0.6, soil.P + 0.6);
        Assert.InRange(Value(Quantities.SoilK), soil.K - 0.6, soil.K + 0.6);
        Assert.InRange(Value(Quantities.SoilMoisture), node.Env.SoilMoistureVwc(t) - 0.1, node.Env.SoilMoistureVwc(t) + 0.1);
    }

    private static string DriverName(ISensor sensor) =>
        SensorCatalog.DriverOf(sensor) is AnalogProbeSensor a ? "analog:" + a.Probe.GetType().Name : SensorCatalog.DriverOf(sensor).GetType().Name;

    private static string Document(string type, string source) =>
        source == "fleet"
            ? DeviceConfigDocument.Build(new DeviceConfigRequest("test-site", "node-1", type, "127.0.0.1", 1, "secret"))
            : File.ReadAllText(Path.Combine(RepoRoot(), source), Encoding.UTF8);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IoTMonitor.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("IoTMonitor.sln not found above " + AppContext.BaseDirectory);
    }
}
