using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Ads1115;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Bme280;
using IoTMonitor.Firmware.Core.Sensors.Calibration;
using IoTMonitor.Firmware.Core.Sensors.Ds18b20;
using IoTMonitor.Firmware.Core.Sensors.Flow;
using IoTMonitor.Firmware.Core.Sensors.Modbus;
using IoTMonitor.Firmware.Core.Sensors.Pms5003;
using IoTMonitor.Firmware.Core.Sensors.Rain;
using IoTMonitor.Firmware.Core.Sensors.Scd4x;
using IoTMonitor.Firmware.Core.Sensors.Sds011;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>
    /// The one mapping from a config entry's <c>kind</c> to a core driver and the quantities it
    /// yields in channel order, on the buses of whatever host runs the core (<see cref="IBusProvider"/>:
    /// the ESP32's real buses, the virtual node's simulated ones). The configured quantities are
    /// matched to the driver's channels by code (<see cref="ChannelMap"/>), not by position.
    /// </summary>
    /// <remarks>
    /// Kinds (docs/config.md): <c>analog</c>/<c>battery</c> (the probe yielding the entry's first
    /// quantity: pH, EC/TDS, turbidity, DO, level, soil moisture, battery divider), <c>ds18b20</c>,
    /// <c>bme280</c>, <c>scd4x</c>, <c>pms5003</c>, <c>sds011</c>, <c>modbus</c> (CWT 7-in-1 soil
    /// probe map), <c>rain-pcf8593</c> (reed-switch gauge counted by a PCF8593) and <c>rain-modbus</c>
    /// (RS485 gauge counting itself, Sonbus XM9505 map), <c>flow-tuf2000</c> (RS485 ultrasonic flow meter, TUF-2000 map). <c>scd30</c> has no driver and unknown kinds get none: null, and the core
    /// queues NO_VALUE. Board constants the config has no key for are the nominal parts of
    /// hardware/*/pinmap.csv; calibration records absorb their tolerances.
    /// </remarks>
    public sealed class SensorCatalog : ISensorFactory
    {
        /// <summary>Level transmitter range in metres (4 mA = 0 m, 20 mA = LevelRangeM).</summary>
        public const double LevelRangeM = 10.0;

        /// <summary>Level shunt (pin map: 120 Ω 0.1 %).</summary>
        public const double LevelShuntOhms = 120.0;

        /// <summary>Capacitive soil probe in dry air, pin volts (typical v1.2 probe at 3.3 V) until calibrated.</summary>
        public const double MoistureDryVolts = 2.8;

        /// <summary>Capacitive soil probe in water, pin volts, until calibrated.</summary>
        public const double MoistureWetVolts = 1.2;

        /// <summary>Turbidity sensor divider (pin map: 10k/10k, pin = ½ sensor).</summary>
        public const double TurbidityDivider = 2.0;

        /// <summary>Battery divider resistors (pin map: 100k/100k).</summary>
        public const double BatteryDividerOhms = 100000.0;

        /// <summary>
        /// ADS1115 range of the EC board (±0.512 V, 15.6 µV per count): the DFR0300 gives about
        /// 164 mV per mS/cm, so fresh water (0.2–0.8 mS/cm, 33–131 mV) spans counts 2100–8400 at
        /// 0.095 µS/cm per count, and the 1413 µS/cm standard (232 mV) stays inside; above about
        /// 3.1 mS/cm it clips (set <c>pga</c> 2048 for brackish water).
        /// </summary>
        public const int EcFullScaleMv = 512;

        /// <summary>
        /// ADS1115 range of the pH, DO and turbidity boards and any other analog probe (±4.096 V, 125 µV
        /// per count; the inputs stay within 0…VDD = 3.3 V): pH 0.0007 per count at 177.5 mV/pH with the
        /// pH 4 window up to 2.21 V inside; the DO board's 0–3.0 V; the turbidity divider's up to 2.1 V.
        /// </summary>
        public const int DefaultFullScaleMv = 4096;

        /// <summary>PMS5003 and SDS011 serial speed.</summary>
        public const int DustSensorBaud = 9600;

        private static readonly int[] PhLayout = { Quantities.WaterPh };
        private static readonly int[] EcLayout = { Quantities.WaterEc, Quantities.WaterTds };
        private static readonly int[] TurbidityLayout = { Quantities.WaterTurbidity };
        private static readonly int[] DoLayout = { Quantities.WaterDo };
        private static readonly int[] LevelLayout = { Quantities.WaterLevel };
        private static readonly int[] MoistureLayout = { Quantities.SoilMoisture };
        private static readonly int[] BatteryLayout = { Quantities.DeviceBattery };
        private static readonly int[] Bme280Layout = { Quantities.AirTemp, Quantities.AirRh, Quantities.AirPressure };
        private static readonly int[] Scd4xLayout = { Quantities.AirCo2, Quantities.AirTemp, Quantities.AirRh };
        private static readonly int[] Pms5003Layout = { Quantities.AirPm1, Quantities.AirPm25, Quantities.AirPm10 };
        private static readonly int[] Sds011Layout = { Quantities.AirPm25, Quantities.AirPm10 };

        /// <summary>mm per tip of a reed-switch gauge whose entry has no <c>mmPerTip</c> (the common 0.2 mm bucket).</summary>
        public const double DefaultMmPerTip = 0.2;

        private static readonly int[] RainLayout = { Quantities.RainTotal };

        private static readonly int[] FlowLayout = { Quantities.FlowRate, Quantities.FlowTotal };

        private readonly IBusProvider _buses;
        private readonly IClock _clock;
        private TipTally _rainTally = new TipTally();

        /// <summary>A catalog building drivers on <paramref name="buses"/>; <paramref name="clock"/> times the UART/I2C exchanges.</summary>
        public SensorCatalog(IBusProvider buses, IClock clock)
        {
            _buses = buses;
            _clock = clock;
        }

        /// <summary>
        /// The tip tally a rain gauge accumulates into: the node state's (Node/NodeCycle.RainTally), so
        /// it is saved with the state every wake. A catalog alone keeps its own (tests).
        /// </summary>
        public TipTally RainTally
        {
            get { return _rainTally; }
            set { _rainTally = value ?? new TipTally(); }
        }

        /// <summary>
        /// The driver for <paramref name="config"/>, its channels in the order of the entry's
        /// quantities; null when the kind has no driver or the board lacks its bus.
        /// </summary>
        public ISensor Create(SensorConfig config)
        {
            if (config == null || config.Kind == null)
            {
                return null;
            }

            ISensor driver = Build(config);
            return driver == null ? null : ChannelMap.Fit(driver, Layout(config), config.Quantities);
        }

        /// <summary>The driver of a sensor <see cref="Create"/> returned (through its <see cref="ChannelMap"/>, if any).</summary>
        public static ISensor DriverOf(ISensor sensor)
        {
            ChannelMap map = sensor as ChannelMap;
            return map != null ? map.Driver : sensor;
        }

        /// <summary>
        /// Quantities the driver for <paramref name="config"/> yields, in its channel order; null
        /// when the catalog has no driver for it.
        /// </summary>
        public static int[] Layout(SensorConfig config)
        {
            switch (config.Kind)
            {
                case "analog":
                case "battery":
                    return AnalogLayout(FirstQuantity(config));
                case "ds18b20":
                    int q = FirstQuantity(config);
                    return q == Quantities.WaterTemp || q == Quantities.SoilTemp || q == Quantities.AirTemp ? new int[] { q } : null;
                case "bme280":
                    return Bme280Layout;
                case "scd4x":
                    return Scd4xLayout;
                case "pms5003":
                    return Pms5003Layout;
                case "sds011":
                    return Sds011Layout;
                case "modbus":
                    return ModbusLayout(SoilProbeMap());
                case "rain-pcf8593":
                case "rain-modbus":
                    return RainLayout;
                case "flow-tuf2000":
                    return FlowLayout;
                default:
                    return null;
            }
        }

        /// <summary>The probe math for an analog quantity, with the board constants above; null for a quantity no probe yields.</summary>
        public static IAnalogProbe AnalogProbe(int quantity)
        {
            switch (quantity)
            {
                case Quantities.WaterPh: return new PhProbe();
                case Quantities.WaterEc:
                case Quantities.WaterTds: return new EcProbe(EcCurve.Dfr0300);
                case Quantities.WaterTurbidity: return new TurbidityProbe(TurbidityDivider);

                // No vendor default stands in for a DO calibration: uncalibrated reads are Fault.
                case Quantities.WaterDo: return new DissolvedOxygenProbe();
                case Quantities.WaterLevel: return new CurrentLoopLevelProbe(LevelShuntOhms, 0, LevelRangeM);
                case Quantities.SoilMoisture: return new SoilMoistureProbe(MoistureDryVolts, MoistureWetVolts);
                case Quantities.DeviceBattery: return new BatteryDivider(BatteryDividerOhms, BatteryDividerOhms);
                default: return null;
            }
        }

        /// <summary>
        /// Whether the driver this catalog builds for <paramref name="config"/> takes
        /// <paramref name="record"/>, judged on a fresh copy of the probe's math (no bus, no I/O):
        /// Ok, WrongKind (another kind, or a driver that takes no record), or the probe's refusal.
        /// A remote record is checked with it before it replaces the flashed one, so a record the
        /// probe would refuse is answered in config/ack instead of turning the readings UNCALIBRATED.
        /// </summary>
        public static CalibrationResult CheckRecord(SensorConfig config, CalibrationRecord record)
        {
            if (config == null || record == null)
            {
                return CalibrationResult.Incomplete;
            }

            IAnalogProbe probe = config.Kind == "analog" || config.Kind == "battery" ? AnalogProbe(FirstQuantity(config)) : null;
            ICalibratable target = probe as ICalibratable;
            return target == null ? CalibrationResult.WrongKind : target.Apply(record);
        }

        /// <summary>The register map of the <c>modbus</c> kind: the CWT 7-in-1 soil probe.</summary>
        public static ModbusRegisterMap SoilProbeMap()
        {
            return ModbusProbeMaps.CwtSoil7in1();
        }

        private static int FirstQuantity(SensorConfig c)
        {
            return c.Quantities.Length == 0 ? Quantities.Unknown : c.Quantities[0];
        }

        private static int[] AnalogLayout(int quantity)
        {
            switch (quantity)
            {
                case Quantities.WaterPh: return PhLayout;
                case Quantities.WaterEc:
                case Quantities.WaterTds: return EcLayout;
                case Quantities.WaterTurbidity: return TurbidityLayout;
                case Quantities.WaterDo: return DoLayout;
                case Quantities.WaterLevel: return LevelLayout;
                case Quantities.SoilMoisture: return MoistureLayout;
                case Quantities.DeviceBattery: return BatteryLayout;
                default: return null;
            }
        }

        private static int[] ModbusLayout(ModbusRegisterMap map)
        {
            int[] layout = new int[map.Entries.Length];
            for (int i = 0; i < layout.Length; i++)
            {
                layout[i] = map.Entries[i].Quantity;
            }

            return layout;
        }

        /// <summary>The ADS1115 full-scale range (mV) an analog entry reads at: its <c>pga</c>, else the probe's default.</summary>
        public static int FullScaleMv(SensorConfig c)
        {
            if (c.FullScaleMv > 0)
            {
                return c.FullScaleMv;
            }

            int q = FirstQuantity(c);
            return q == Quantities.WaterEc || q == Quantities.WaterTds ? EcFullScaleMv : DefaultFullScaleMv;
        }

        private IAnalogInput Ads1115Input(SensorConfig c)
        {
            II2cBus bus = _buses.I2c(c.Bus);
            if (bus == null || c.Channel < 0)
            {
                return null;
            }

            Ads1115Adc adc = new Ads1115Adc(bus, c.Address >= 0 ? c.Address : Ads1115Settings.DefaultAddress, _clock);
            return new Ads1115Channel(adc, c.Channel, Ads1115Settings.PgaForFullScaleMv(FullScaleMv(c)), Ads1115Settings.DefaultDataRate);
        }

        private ISensor Build(SensorConfig c)
        {
            switch (c.Kind)
            {
                case "analog":
                case "battery":
                    IAnalogProbe probe = AnalogProbe(FirstQuantity(c));
                    IAnalogInput input = probe == null ? null : c.Adc == SensorConfig.AdcAds1115 ? Ads1115Input(c) : c.Pin >= 0 ? _buses.Analog(c.Pin) : null;
                    return input == null ? null : new AnalogProbeSensor(input, probe, 0);
                case "ds18b20":
                    IOneWireBus oneWire = _buses.OneWire(c.Tx, c.Rx);
                    return oneWire == null ? null : new Ds18b20Sensor(oneWire);
                case "bme280":
                    II2cBus bme = _buses.I2c(c.Bus);
                    return bme == null ? null : new Bme280Sensor(bme, c.Address >= 0 ? c.Address : Bme280Constants.DefaultAddress);
                case "scd4x":
                    II2cBus scd = _buses.I2c(c.Bus);
                    return scd == null ? null : new Scd4xSensor(scd, _clock);
                case "pms5003":
                    IUart pms = _buses.Uart(c.Tx, c.Rx, DustSensorBaud);
                    return pms == null ? null : new Pms5003Sensor(pms, _clock);
                case "sds011":
                    IUart sds = _buses.Uart(c.Tx, c.Rx, DustSensorBaud);
                    return sds == null ? null : new Sds011Sensor(sds, _clock);
                case "modbus":
                    ModbusRegisterMap map = SoilProbeMap();
                    IUart rs485 = _buses.Uart(c.Tx, c.Rx, map.Baud);
                    return rs485 == null ? null : new ModbusProbeSensor(rs485, _clock, map, c.Address > 0 ? c.Address : map.SlaveAddress);
                case "rain-pcf8593":
                    II2cBus counterBus = _buses.I2c(c.Bus);
                    return counterBus == null ? null : new RainGaugeSensor(new Pcf8593TipCounter(counterBus), _rainTally, c.MmPerTip > 0 ? c.MmPerTip : DefaultMmPerTip);
                case "rain-modbus":
                    ModbusRegisterMap gauge = RainGaugeMaps.SonbusXm9505();
                    IUart gaugeUart = _buses.Uart(c.Tx, c.Rx, gauge.Baud);
                    return gaugeUart == null ? null : new RainGaugeSensor(new ModbusTipCounter(gaugeUart, _clock, gauge, c.Address), _rainTally, c.MmPerTip > 0 ? c.MmPerTip : RainGaugeMaps.SonbusMmPerTip);
                case "flow-tuf2000":
                    // The meter set to its factory units (M31 m³/h, M32 m³, M33 ×1): docs/config.md.
                    IUart meterUart = _buses.Uart(c.Tx, c.Rx, Tuf2000Registers.DefaultBaud);
                    return meterUart == null ? null : new FlowMeterSensor(meterUart, _clock, c.Address, FlowMeterSensor.FactoryFlowScale, 1.0);
                default:
                    return null;
            }
        }
    }
}
