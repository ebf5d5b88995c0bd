using System;
using System.Device.Adc;
using System.Device.Gpio;
using IoTMonitor.Firmware.Adapters;
using IoTMonitor.Firmware.Board;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors;

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
    /// Kinds wired: none yet — the driver classes (Sensors/&lt;Family&gt;/ on branch
    /// <c>drivers</c>) are not in main. Until they are, every kind returns null and the core queues
    /// its quantities with NO_VALUE. Pending kinds: <c>analog</c> (pH, EC, turbidity, DO, level,
    /// moisture, battery), <c>ds18b20</c>, <c>modbus</c>, <c>bme280</c>, <c>scd4x</c>,
    /// <c>pms5003</c>, <c>sds011</c>. The bus helpers below are what those cases will use.
    /// </remarks>
    public sealed class SensorFactory : ISensorFactory
    {
        private const int Pins = 40;

        private readonly AdcController _adc;
        private readonly BoardPins _board;
        private readonly GpioOutput[] _outputs;
        private readonly AdcAnalogInput[] _analog = new AdcAnalogInput[Pins];
        private I2cBusAdapter _i2c;
        private SerialUart _uart;
        private OneWireAdapter _oneWire;

        /// <summary>A factory for <paramref name="board"/>; <paramref name="outputs"/> are its outputs, index for index.</summary>
        public SensorFactory(AdcController adc, BoardPins board, GpioOutput[] outputs)
        {
            _adc = adc;
            _board = board;
            _outputs = outputs;
        }

        /// <inheritdoc />
        public ISensor Create(SensorConfig config)
        {
            ISensor sensor = null;

            // One case per kind whose driver is in the core, e.g.
            // "bme280" => new Bme280Sensor(I2c(config.Bus), config.Address), once merged.
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
