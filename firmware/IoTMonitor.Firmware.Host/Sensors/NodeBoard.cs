using IoTMonitor.Firmware.Core.Config;
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
    private readonly Dictionary<int, double> _standards = new();
    private readonly Dictionary<string, int> _analogPinOf = new(StringComparer.Ordinal);
    private readonly Dictionary<int, IUart> _uarts = new();

    public NodeBoard(string type, SiteEnvironment env, Func<long> utc, Func<double> vbat, Func<string, ProbeFault> faultOf, int seed)
    {
        Type = type;
        I2c = new SimulatedI2cBus();
        switch (type)
        {
            case "water":
                OneWire = new SimulatedDs18b20(utc, t => env.WaterTempC(t), faultOf("temp"), seed);
                Wire(36, "water.ph", env.Ph, (v, t) => ProbeTransfer.PhVolts(v, env.WaterTempC(t)), faultOf("ph"), utc, seed);
                Wire(39, "water.ec", env.EcUsPerCm, (v, t) => ProbeTransfer.EcVolts(v, env.WaterTempC(t)), faultOf("ec"), utc, seed);
                Wire(34, "water.turbidity", env.TurbidityNtu, (v, _) => ProbeTransfer.TurbidityVolts(v), faultOf("turbidity"), utc, seed);
                Wire(32, "water.do", env.DoMgL, (v, t) => ProbeTransfer.DoVolts(v, env.WaterTempC(t)), faultOf("do"), utc, seed);
                Wire(33, "water.level", env.WaterLevelM, (v, _) => ProbeTransfer.LevelVolts(v), faultOf("level"), utc, seed);

                // hardware/water: the pH, EC, DO and turbidity boards feed the ADS1115 (ADDR to GND) on
                // AIN0…AIN3; their GPIOs stay wired in the simulation so configs of the direct-ADC
                // layout keep working
                Ads1115 = new SimulatedAds1115();
                Ads1115.Connect(0, _analog[36]);
                Ads1115.Connect(1, _analog[39]);
                Ads1115.Connect(2, _analog[32]);
                Ads1115.Connect(3, _analog[34]);
                I2c.Attach(Ads1115Address, Ads1115);
                break;
            case "soil":
                OneWire = new SimulatedDs18b20(utc, t => env.SoilTempC(t), faultOf("temp"), seed);
                Wire(34, "soil.moisture", env.SoilMoistureVwc, (v, _) => ProbeTransfer.MoistureVolts(v), faultOf("moisture"), utc, seed);
                _uarts[13] = new SimulatedModbusSoilProbe(utc, t => env.Soil(t), faultOf("npk"));
                break;
            case "air":
                I2c.Attach(0x76, new SimulatedBme280(utc, t => (env.AirTempC(t), env.PressureHpa(t), env.RelativeHumidity(t)), faultOf("bme280")));
                _uarts[13] = new SimulatedPms5003(utc, t => env.Dust(t), faultOf("pm"));
                break;
            default:
                throw new ArgumentException($"type must be water, soil or air, not '{type}'");
        }

        // every site can carry the flash-flood option (hardware/water): a bucket of the catalog's default
        // size counted by a PCF8593 on the I2C bus, tipping on the site's rain from the board's first moment
        TippingBucket = AttachRainGauge(utc, new SiteRainfall(env, utc()), SensorCatalog.DefaultMmPerTip);
        _analog[35] = new SimulatedAnalogInput(utc, _ => vbat(), (v, _) => ProbeTransfer.BatteryVolts(v), ProbeFault.None, seed + 35, noiseVolts: 0.001);
    }

    public string Type { get; }

    /// <summary>
    /// Puts the analog probe of <paramref name="quantity"/> in a calibration standard (a pH buffer, a
    /// conductivity standard, a level set by hand): it reads <paramref name="value"/> instead of the
    /// site, through its own transfer and fault, until <see cref="TakeOutOfStandard"/>.
    /// </summary>
    public void PutInStandard(string quantity, double value)
    {
        lock (_standards)
        {
            _standards[PinOf(quantity)] = value;
        }
    }

    /// <summary>Back in the water (or soil): the probe reads the site again.</summary>
    public void TakeOutOfStandard(string quantity)
    {
        lock (_standards)
        {
            _standards.Remove(PinOf(quantity));
        }
    }

    private int PinOf(string quantity) => _analogPinOf.TryGetValue(quantity, out var pin)
        ? pin
        : throw new ArgumentException($"a {Type} node has no analog probe for '{quantity}' (probes: {string.Join(", ", _analogPinOf.Keys)})", nameof(quantity));

    private void Wire(int gpio, string quantity, Func<double, double> site, Func<double, long, double> toVolts, ProbeFault fault, Func<long> utc, int seed)
    {
        _analogPinOf[quantity] = gpio;
        _analog[gpio] = new SimulatedAnalogInput(utc, t => Standard(gpio) ?? site(t), toVolts, fault, seed + gpio);
    }

    private double? Standard(int gpio)
    {
        lock (_standards)
        {
            return _standards.TryGetValue(gpio, out var v) ? v : null;
        }
    }

    /// <summary>
    /// The tipping-bucket gauge's counter (config kind <c>rain-pcf8593</c>): the site's rain unless
    /// <see cref="AttachRainGauge"/> fitted another.
    /// </summary>
    public SimulatedTippingBucket TippingBucket { get; private set; }

    /// <summary>
    /// Fits a tipping-bucket gauge of <paramref name="mmPerTip"/> counted by a PCF8593 on the I2C bus
    /// (config kind <c>rain-pcf8593</c>), tipping on <paramref name="rain"/>, in place of the one fitted.
    /// </summary>
    public SimulatedTippingBucket AttachRainGauge(Func<long> utc, IRainSignal rain, double mmPerTip)
    {
        TippingBucket = new SimulatedTippingBucket(utc, rain, mmPerTip);
        I2c.Attach(SimulatedTippingBucket.Address, TippingBucket);
        return TippingBucket;
    }

    public SimulatedI2cBus I2c { get; }

    /// <summary>The battery-backed RTC (config <c>rtc</c>), or null until <see cref="AttachRtc"/> fits one.</summary>
    public SimulatedDs3231? Rtc { get; private set; }

    /// <summary>Fits a DS3231 on the I2C bus at 68h (hardware/common/rtc-backup.md).</summary>
    public SimulatedDs3231 AttachRtc(SimulatedDs3231 rtc)
    {
        Rtc = rtc;
        I2c.Attach(SimulatedDs3231.Address, rtc);
        return rtc;
    }

    /// <summary>I2C address of the water node's ADS1115 (ADDR to GND).</summary>
    public const int Ads1115Address = 0x48;

    /// <summary>The water node's external ADC, or null on other node types.</summary>
    public SimulatedAds1115? Ads1115 { get; }

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
