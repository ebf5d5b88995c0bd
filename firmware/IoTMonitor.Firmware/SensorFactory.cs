using System;
using System.Device.Adc;
using System.Device.Gpio;
using IoTMonitor.Firmware.Adapters;
using IoTMonitor.Firmware.Board;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Bme280;
using IoTMonitor.Firmware.Core.Sensors.Ds18b20;
using IoTMonitor.Firmware.Core.Sensors.Modbus;
using IoTMonitor.Firmware.Core.Sensors.Pms5003;
using IoTMonitor.Firmware.Core.Sensors.Scd4x;
using IoTMonitor.Firmware.Core.Sensors.Sds011;

namespace IoTMonitor.Firmware
{
    /// <summary>
    /// <see cref="ISensorFactory"/> for the ESP32: maps a config entry's <c>kind</c> to a driver
    /// class of the core and hands it the adapter for its bus and pins. Buses are opened once per
    /// wake and shared (one ADC channel per pin, one I2C bus, COM2, the 1-Wire host). When it
    /// builds a sensor it also switches on the board outputs that sensor needs (the pin map's
    /// <c>sensor</c> column, <see cref="BoardPins"/>); they stay on until deep sleep.
    /// </summary>
    /// <remarks>
    /// Kinds wired (docs/config.md): <c>analog</c>/<c>battery</c> (probe chosen by the entry's first
    /// quantity, as the virtual node's DriverCatalog does), <c>ds18b20</c>, <c>bme280</c>,
    /// <c>scd4x</c>, <c>pms5003</c>, <c>sds011</c>, <c>modbus</c> (CWT soil probe map). Not wired:
    /// <c>scd30</c> (no driver in the core). Unknown kinds return null: the core queues NO_VALUE.
    /// Board constants that the config has no key for (level range, moisture dry/wet volts,
    /// divider resistors) are the nominal values of hardware/ and the virtual node.
    /// </remarks>
    public sealed class SensorFactory : ISensorFactory
    {
        private const int Pins = 40;

        /// <summary>Level transmitter range in metres (4 mA = 0 m, 20 mA = LevelRangeM).</summary>
        public const double LevelRangeM = 10.0;

        /// <summary>Level shunt (pin map: 120 Ω 0.1 %).</summary>
        public const double LevelShuntOhms = 120.0;

        /// <summary>Capacitive soil probe, dry air / saturated (typical v1.2 probe at 3.3 V).</summary>
        public const double MoistureDryVolts = 2.8;

        /// <summary>See <see cref="MoistureDryVolts"/>.</summary>
        public const double MoistureWetVolts = 1.2;

        /// <summary>Turbidity sensor divider (pin map: 10k/10k, pin = ½ sensor).</summary>
        public const double TurbidityDivider = 2.0;

        /// <summary>Battery divider resistors (pin map: 100k/100k).</summary>
        public const double BatteryDividerOhms = 100000.0;

        private readonly AdcController _adc;
        private readonly IMillisecondClock _clock;
        private readonly BoardPins _board;
        private readonly GpioOutput[] _outputs;
        private readonly AdcAnalogInput[] _analog = new AdcAnalogInput[Pins];
        private I2cBusAdapter _i2c;
        private SerialUart _uart;
        private OneWireAdapter _oneWire;

        /// <summary>A factory for <paramref name="board"/>; <paramref name="outputs"/> are its outputs, index for index.</summary>
        public SensorFactory(AdcController adc, IMillisecondClock clock, BoardPins board, GpioOutput[] outputs)
        {
            _adc = adc;
            _clock = clock;
            _board = board;
            _outputs = outputs;
        }

        /// <inheritdoc />
        public ISensor Create(SensorConfig config)
        {
            ISensor sensor = Build(config);
            if (sensor != null)
            {
                EnableOutputsFor(config.Id);
            }

            return sensor;
        }

        /// <summary>The ADC1 input on <paramref name="gpio"/> (shared: one channel per pin).</summary>
        public AdcAnalogInput Analog(int gpio)
        {
            if (gpio < 0 || gpio >= Pins)
            {
                throw new ArgumentOutOfRangeException("gpio");
            }

            if (_analog[gpio] == null)
            {
                _analog[gpio] = new AdcAnalogInput(_adc, gpio);
            }

            return _analog[gpio];
        }

        /// <summary>I2C bus 1 on the board's pins (firmware defaults 18/19, no SetPinFunction).</summary>
        public I2cBusAdapter I2c(int bus)
        {
            if (bus != 1 || _board.I2cSda < 0)
            {
                throw new ArgumentException("this board has I2C1 only on its default pins");
            }

            if (_i2c == null)
            {
                _i2c = new I2cBusAdapter(1, System.Device.I2c.I2cBusSpeed.StandardMode);
            }

            return _i2c;
        }

        /// <summary>COM2 on <paramref name="tx"/>/<paramref name="rx"/> (RS485 with the board's DE pin when it has one).</summary>
        public SerialUart Uart(int tx, int rx, int baudRate)
        {
            if (_uart == null)
            {
                _uart = new SerialUart(tx, rx, _board.Rs485De, baudRate, System.IO.Ports.Parity.None, System.IO.Ports.StopBits.One);
            }

            return _uart;
        }

        /// <summary>The 1-Wire host on COM3 (<paramref name="tx"/>/<paramref name="rx"/>).</summary>
        public OneWireAdapter OneWire(int tx, int rx)
        {
            if (_oneWire == null)
            {
                _oneWire = new OneWireAdapter(tx, rx);
            }

            return _oneWire;
        }

        private static IAnalogProbe AnalogProbe(int quantity)
        {
            switch (quantity)
            {
                case Quantities.WaterPh: return new PhProbe();
                case Quantities.WaterEc: return new EcProbe(EcCurve.Dfr0300);
                case Quantities.WaterTurbidity: return new TurbidityProbe(TurbidityDivider);

                // Uncalibrated until a DO calibration record is applied: reads report Fault.
                case Quantities.WaterDo: return new DissolvedOxygenProbe();
                case Quantities.WaterLevel: return new CurrentLoopLevelProbe(LevelShuntOhms, 0, LevelRangeM);
                case Quantities.SoilMoisture: return new SoilMoistureProbe(MoistureDryVolts, MoistureWetVolts);
                case Quantities.DeviceBattery: return new BatteryDivider(BatteryDividerOhms, BatteryDividerOhms);
                default: return null;
            }
        }

        private ISensor Build(SensorConfig c)
        {
            switch (c.Kind)
            {
                case "analog":
                case "battery":
                    IAnalogProbe probe = c.Quantities.Length == 0 ? null : AnalogProbe(c.Quantities[0]);
                    return probe == null ? null : new AnalogProbeSensor(Analog(c.Pin), probe, c.WarmupMs);
                case "ds18b20":
                    return new Ds18b20Sensor(OneWire(c.Tx, c.Rx));
                case "bme280":
                    return new Bme280Sensor(I2c(c.Bus), c.Address >= 0 ? c.Address : 0x76);
                case "scd4x":
                    return new Scd4xSensor(I2c(c.Bus), _clock);
                case "pms5003":
                    return new Pms5003Sensor(Uart(c.Tx, c.Rx, 9600), _clock);
                case "sds011":
                    return new Sds011Sensor(Uart(c.Tx, c.Rx, 9600), _clock);
                case "modbus":
                    ModbusRegisterMap map = ModbusProbeMaps.CwtSoil7in1();
                    return new ModbusProbeSensor(Uart(c.Tx, c.Rx, map.Baud), _clock, map, c.Address > 0 ? c.Address : map.SlaveAddress);
                default:
                    return null;
            }
        }

        private void EnableOutputsFor(string sensorId)
        {
            BoardOutput[] outs = _board.Outputs;
            for (int i = 0; i < outs.Length; i++)
            {
                string[] users = outs[i].Sensors;
                for (int j = 0; j < users.Length; j++)
                {
                    if (users[j] == sensorId)
                    {
                        _outputs[i].Set(true);
                    }
                }
            }
        }
    }
}
