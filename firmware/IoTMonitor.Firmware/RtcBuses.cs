using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware
{
    /// <summary>
    /// The buses as the backup RTC (Core Node/BackupClock) sees them: I2C bus 1 through
    /// <see cref="RailedI2cBus"/>, which powers the rail of the bus's pull-ups and the RTC's VCC for
    /// each transfer (the RTC is used while the sensor rails are off); the other buses as they are.
    /// </summary>
    public sealed class RtcBuses : IBusProvider
    {
        /// <summary>The pin map's <c>sensor</c> name for the backup RTC (hardware/*/pinmap.csv).</summary>
        public const string RtcUser = "rtc";

        private readonly Esp32Buses _buses;
        private readonly SensorFactory _outputs;
        private RailedI2cBus _i2c;

        /// <summary><paramref name="buses"/>, with the board outputs of <paramref name="outputs"/>.</summary>
        public RtcBuses(Esp32Buses buses, SensorFactory outputs)
        {
            _buses = buses;
            _outputs = outputs;
        }

        /// <inheritdoc />
        public IAnalogInput Analog(int pin)
        {
            return _buses.Analog(pin);
        }

        /// <inheritdoc />
        public II2cBus I2c(int bus)
        {
            II2cBus raw = _buses.I2c(bus);
            if (raw == null)
            {
                return null;
            }

            if (_i2c == null)
            {
                _i2c = new RailedI2cBus(raw, _outputs, RtcUser);
            }

            return _i2c;
        }

        /// <inheritdoc />
        public IUart Uart(int tx, int rx, int baudRate)
        {
            return _buses.Uart(tx, rx, baudRate);
        }

        /// <inheritdoc />
        public IOneWireBus OneWire(int tx, int rx)
        {
            return _buses.OneWire(tx, rx);
        }
    }
}
