using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// The simulated hardware of one node, wired as in hardware/{type}/pinmap.csv: analog pins by GPIO,
/// the I2C bus, UART devices by their RX GPIO and the 1-Wire bus, each fed by the site's
/// <see cref="SiteEnvironment"/> and the node's battery, with the node's probe faults applied.
/// As an <see cref="IBusProvider"/> it is what the core's <see cref="SensorCatalog"/> builds on.
/// </summary>
public sealed class NodeBoard : IBusProvider
{
    private readonly Dictionary<int, IAnalogInput> _analog = new();
    private readonly Dictionary<int, IUart> _uarts = new();

    public NodeBoard(string type, SiteEnvironment env, Func<long> utc, Func<double> vbat, Func<string, ProbeFault> faultOf, int seed)
    {
        Type = type;
        I2c = new SimulatedI2cBus();
        switch (type)
        {
            case "water":
                OneWire = new SimulatedDs18b20(utc, t => env.WaterTempC(t), faultOf("temp"), seed);
                _analog[36] = new SimulatedAnalogInput(utc, t => env.Ph(t), (v, t) => ProbeTransfer.PhVolts(v, env.WaterTempC(t)), faultOf("ph"), seed + 36);
                _analog[39] = new SimulatedAnalogInput(utc, t => env.EcUsPerCm(t), (v, t) => ProbeTransfer.EcVolts(v, env.WaterTempC(t)), faultOf("ec"), seed + 39);
                _analog[34] = new SimulatedAnalogInput(utc, t => env.TurbidityNtu(t), (v, _) => ProbeTransfer.TurbidityVolts(v), faultOf("turbidity"), seed + 34);
                _analog[32] = new SimulatedAnalogInput(utc, t => env.DoMgL(t), (v, t) => ProbeTransfer.DoVolts(v, env.WaterTempC(t)), faultOf("do"), seed + 32);
                _analog[33] = new SimulatedAnalogInput(utc, t => env.WaterLevelM(t), (v, _) => ProbeTransfer.LevelVolts(v), faultOf("level"), seed + 33);
                break;
            case "soil":
                OneWire = new SimulatedDs18b20(utc, t => env.SoilTempC(t), faultOf("temp"), seed);
                _analog[34] = new SimulatedAnalogInput(utc, t => env.SoilMoistureVwc(t), (v, _) => ProbeTransfer.MoistureVolts(v), faultOf("moisture"), seed + 34);
                _uarts[13] = new SimulatedModbusSoilProbe(utc, t => env.Soil(t), faultOf("npk"));
                break;
            case "air":
                I2c.Attach(0x76, new SimulatedBme280(utc, t => (env.AirTempC(t), env.PressureHpa(t), env.RelativeHumidity(t)), faultOf("bme280")));
                _uarts[13] = new SimulatedPms5003(utc, t => env.Dust(t), faultOf("pm"));
                break;
            default:
                throw new ArgumentException($"type must be water, soil or air, not '{type}'");
        }

        _analog[35] = new SimulatedAnalogInput(utc, _ => vbat(), (v, _) => ProbeTransfer.BatteryVolts(v), ProbeFault.None, seed + 35, noiseVolts: 0.001);
    }

    public string Type { get; }

    public SimulatedI2cBus I2c { get; }

    public IOneWireBus? OneWire { get; }

    /// <summary>The ADC channel on <paramref name="gpio"/>, or null when nothing is wired there.</summary>
    public IAnalogInput? Analog(int gpio) => _analog.GetValueOrDefault(gpio);

    /// <summary>The serial device whose TX goes to the ESP32's <paramref name="rxGpio"/>, or null.</summary>
    public IUart? Uart(int rxGpio) => _uarts.GetValueOrDefault(rxGpio);

    // One simulated I2C bus and one 1-Wire bus per node, whatever the config numbers them; a UART
    // device is found by the pin it drives (any baud: the simulation has no line to mismatch).
    II2cBus IBusProvider.I2c(int bus) => I2c;

    IUart? IBusProvider.Uart(int tx, int rx, int baudRate) => Uart(rx);

    IOneWireBus? IBusProvider.OneWire(int tx, int rx) => OneWire;
}
