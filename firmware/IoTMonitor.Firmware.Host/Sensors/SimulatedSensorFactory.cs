using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Bme280;
using IoTMonitor.Firmware.Core.Sensors.Ds18b20;
using IoTMonitor.Firmware.Core.Sensors.Modbus;
using IoTMonitor.Firmware.Core.Sensors.Pms5003;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// The virtual node's <see cref="ISensorFactory"/>: the firmware core's own drivers (the same code
/// the ESP32 runs) on the simulated buses of a <see cref="NodeBoard"/>. A kind this host cannot
/// build gets null, so the core queues its quantities with NO_VALUE, as on a real node with a
/// missing driver; <see cref="MissingKinds"/> lists them.
/// </summary>
public sealed class SimulatedSensorFactory : ISensorFactory
{
    private readonly NodeBoard _board;
    private readonly IMillisecondClock _clock;
    private readonly HashSet<string> _missing = new(StringComparer.Ordinal);

    public SimulatedSensorFactory(NodeBoard board, IMillisecondClock clock)
    {
        _board = board;
        _clock = clock;
    }

    /// <summary>Config kinds this host could not build a core driver for.</summary>
    public IReadOnlyCollection<string> MissingKinds => _missing;

    public ISensor Create(SensorConfig config)
    {
        var sensor = DriverCatalog.Create(config, _board, _clock);
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
/// Maps a config <c>kind</c> to the core driver on the board's bus, with the board constants the
/// config has no keys for (dividers, shunt, ranges: hardware/*/pinmap.csv). Analog entries pick the
/// probe by their first quantity. Unknown kinds or quantities give null (NO_VALUE readings).
/// </summary>
public static class DriverCatalog
{
    public static ISensor? Create(SensorConfig c, NodeBoard board, IMillisecondClock clock)
    {
        switch (c.Kind)
        {
            case "analog":
            case "battery":
                var input = board.Analog(c.Pin);
                var probe = c.Quantities.Length == 0 ? null : AnalogProbe(c.Quantities[0]);
                return input is null || probe is null ? null : new AnalogProbeSensor(input, probe, 0);
            case "ds18b20":
                return board.OneWire is null ? null : new Ds18b20Sensor(board.OneWire);
            case "bme280":
                return new Bme280Sensor(board.I2c, c.Address >= 0 ? c.Address : 0x76);
            case "pms5003":
                var pms = board.Uart(c.Rx);
                return pms is null ? null : new Pms5003Sensor(pms, clock);
            case "modbus":
                var rs485 = board.Uart(c.Rx);
                return rs485 is null ? null : new ModbusProbeSensor(rs485, clock, SoilProbeMap, c.Address > 0 ? c.Address : 1);
            default:
                return null;
        }
    }

    /// <summary>The CWT 7-in-1 map (<see cref="ModbusProbeMaps.CwtSoil7in1"/>): moisture, temperature, EC, pH, N, P, K.</summary>
    public static readonly ModbusRegisterMap SoilProbeMap = ModbusProbeMaps.CwtSoil7in1();

    /// <summary>The probe math for an analog quantity, parameterised as wired on the nodes.</summary>
    public static IAnalogProbe? AnalogProbe(int quantity)
    {
        if (quantity == Quantities.WaterPh)
        {
            return new PhProbe();
        }

        if (quantity == Quantities.WaterEc)
        {
            return new EcProbe(EcCurve.Dfr0300);
        }

        if (quantity == Quantities.WaterTurbidity)
        {
            return new TurbidityProbe(2.0);
        }

        if (quantity == Quantities.WaterDo)
        {
            return new DissolvedOxygenProbe();
        }

        if (quantity == Quantities.WaterLevel)
        {
            return new CurrentLoopLevelProbe(ProbeTransfer.LevelShuntOhms, 0, ProbeTransfer.LevelRangeM);
        }

        if (quantity == Quantities.SoilMoisture)
        {
            return new SoilMoistureProbe(ProbeTransfer.MoistureVolts(0), ProbeTransfer.MoistureVolts(100));
        }

        if (quantity == Quantities.DeviceBattery)
        {
            return new BatteryDivider(100_000, 100_000);
        }

        return null;
    }
}
