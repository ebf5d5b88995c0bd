using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// The virtual node's <see cref="ISensorFactory"/>: the firmware core's own drivers (the same code
/// the ESP32 runs) on the simulated buses of a <see cref="NodeBoard"/>. A kind with no driver in the
/// core yet gets null, so the core queues its quantities with NO_VALUE, as on a real node with a
/// missing driver; <see cref="MissingKinds"/> lists them.
/// </summary>
public sealed class SimulatedSensorFactory : ISensorFactory
{
    private readonly NodeBoard _board;
    private readonly HashSet<string> _missing = new(StringComparer.Ordinal);

    public SimulatedSensorFactory(NodeBoard board)
    {
        _board = board;
    }

    /// <summary>Config kinds this host could not build a core driver for.</summary>
    public IReadOnlyCollection<string> MissingKinds => _missing;

    public ISensor Create(SensorConfig config)
    {
        var sensor = DriverCatalog.Create(config, _board);
        if (sensor is null)
        {
            lock (_missing)
            {
                _missing.Add(config.Kind);
            }
        }

        return sensor!;
    }
}

/// <summary>
/// Maps a config <c>kind</c> to the core driver on the board's bus. One line per driver family in
/// firmware/IoTMonitor.Firmware.Core/Sensors/; kinds whose driver is not in the core yet return null.
/// </summary>
public static class DriverCatalog
{
    /// <summary>Kinds the simulated boards provide signals for.</summary>
    public static readonly string[] SimulatedKinds = ["analog", "ds18b20", "modbus", "bme280", "pms5003"];

    public static ISensor? Create(SensorConfig c, NodeBoard board) => c.Kind switch
    {
        _ => null,
    };
}
