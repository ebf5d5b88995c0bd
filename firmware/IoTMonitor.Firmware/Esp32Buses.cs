using System.Device.Adc;
using IoTMonitor.Firmware.Adapters;
using IoTMonitor.Firmware.Board;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware
{
    /// <summary>
    /// The ESP32's buses for the core's <see cref="SensorCatalog"/>: one ADC1 channel per pin, I2C1
    /// on the board's default pins, COM2 (RS485 with the board's DE pin when it has one), the 1-Wire
    /// host on COM3. Each is opened on first use and shared for the wake (deep sleep closes all).
    /// A pin or bus the board cannot serve gives null (its entry reads NO_VALUE) instead of the
    /// adapter's exception, so a config typo cannot end a wake before the node reports it.
    /// </summary>
    public sealed class Esp32Buses : IBusProvider
    {
        private const int Pins = 40;

        private readonly AdcController _adc;
        private readonly BoardPins _board;
        private readonly AdcAnalogInput[] _analog = new AdcAnalogInput[Pins];
        private I2cBusAdapter _i2c;
        private SerialUart _uart;
        private OneWireAdapter _oneWire;
        private int _modemUart;

        /// <summary>The buses of <paramref name="board"/>.</summary>
        public Esp32Buses(AdcController adc, BoardPins board)
        {
            _adc = adc;
            _board = board;
        }

        /// <summary>The ADC1 input on <paramref name="pin"/>; null for a pin ADC1 does not have (ADC2 fails while WiFi is on).</summary>
        public IAnalogInput Analog(int pin)
        {
            if (AdcAnalogInput.ChannelOf(pin) < 0)
            {
                return null;
            }

            if (_analog[pin] == null)
            {
                _analog[pin] = new AdcAnalogInput(_adc, pin);
            }

            return _analog[pin];
        }

        /// <summary>I2C bus 1 on the board's pins (firmware defaults 18/19, no SetPinFunction); null for another bus or a board without I2C.</summary>
        public II2cBus I2c(int bus)
        {
            if (bus != 1 || _board.I2cSda < 0)
            {
                return null;
            }

            if (_i2c == null)
            {
                _i2c = new I2cBusAdapter(1, System.Device.I2c.I2cBusSpeed.StandardMode);
            }

            return _i2c;
        }

        /// <summary>COM2 on <paramref name="tx"/>/<paramref name="rx"/>; the first entry to open it sets the baud rate for the wake.</summary>
        public IUart Uart(int tx, int rx, int baudRate)
        {
            if (tx < 0 || rx < 0 || _modemUart == 2)
            {
                return null;
            }

            if (_uart == null)
            {
                _uart = new SerialUart(tx, rx, _board.Rs485De, baudRate, System.IO.Ports.Parity.None, System.IO.Ports.StopBits.One);
            }

            return _uart;
        }

        /// <summary>The 1-Wire host on COM3 (<paramref name="tx"/>/<paramref name="rx"/>).</summary>
        public IOneWireBus OneWire(int tx, int rx)
        {
            if (tx < 0 || rx < 0 || _modemUart == 3)
            {
                return null;
            }

            if (_oneWire == null)
            {
                _oneWire = new OneWireAdapter(tx, rx);
            }

            return _oneWire;
        }

        /// <summary>
        /// Hands COM<paramref name="uart"/> to the modem for the rest of the wake: a sensor host still
        /// holding it (the soil board's 1-Wire on COM3) is closed first, and later sensor requests for
        /// that port get null (their entries read NO_VALUE). The wake samples before it connects, so
        /// the sensors are done by then.
        /// </summary>
        public void ClaimForModem(int uart)
        {
            if (uart == 3 && _oneWire != null)
            {
                _oneWire.Dispose();
                _oneWire = null;
            }

            if (uart == 2 && _uart != null)
            {
                _uart.Dispose();
                _uart = null;
            }

            _modemUart = uart;
        }
    }
}
