using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// The virtual node's <see cref="ISensorFactory"/>: the core's <see cref="SensorCatalog"/> — the same
/// kind → driver mapping the ESP32 app uses — on the simulated buses of a <see cref="NodeBoard"/>.
/// A kind the catalog cannot build (or a bus the board lacks) gets null, so the core queues its
/// quantities with NO_VALUE, as on a real node; <see cref="MissingKinds"/> lists them.
/// </summary>
public sealed class SimulatedSensorFactory : ISensorFactory
{
    private readonly SensorCatalog _catalog;
    private readonly HashSet<string> _missing = new(StringComparer.Ordinal);

    public SimulatedSensorFactory(NodeBoard board, IClock clock)
    {
        _catalog = new SensorCatalog(board, clock);
    }

    /// <summary>The tip tally rain gauges accumulate into: set to the wake's NodeCycle.RainTally before it runs.</summary>
    public Core.Sensors.Rain.TipTally RainTally
    {
        get => _catalog.RainTally;
        set => _catalog.RainTally = value;
    }

    /// <summary>Config kinds this host could not build a core driver for.</summary>
    public IReadOnlyCollection<string> MissingKinds => _missing;

    public ISensor Create(SensorConfig config)
    {
        var sensor = _catalog.Create(config);
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
