using System.Threading;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware
{
    /// <summary>
    /// I2C bus 1 for a chip that is used outside the sampling round (the DS3231 backup RTC, read at a
    /// power-on before sampling and written after each network time sync, while the sensor rails are
    /// off). The bus's pull-ups and the chip's VCC sit on the switched sensor rail (hardware/*/pinmap.csv,
    /// hardware/common/rtc-backup.md), so each transfer holds the board outputs listed for
    /// <see cref="User"/> in the pin map and releases them afterwards; a rail the sampling round holds
    /// stays on.
    /// </summary>
    public sealed class RailedI2cBus : II2cBus
    {
        /// <summary>
        /// The switched rail charging its own decoupling through the P-MOSFET: well under a
        /// millisecond (power.md §1, switched rails); 2 ms is the margin, to check on a bench board.
        /// </summary>
        public const int RailRiseMs = 2;

        private readonly II2cBus _bus;
        private readonly SensorFactory _outputs;
        private readonly string _user;

        /// <summary><paramref name="bus"/>, powered through the outputs of <paramref name="outputs"/> listed for <paramref name="user"/>.</summary>
        public RailedI2cBus(II2cBus bus, SensorFactory outputs, string user)
        {
            _bus = bus;
            _outputs = outputs;
            _user = user;
        }

        /// <summary>The pin map's <c>sensor</c> name of the chip (e.g. <c>rtc</c>).</summary>
        public string User
        {
            get { return _user; }
        }

        /// <inheritdoc />
        public ReadResult WriteRead(int address, byte[] write, int writeCount, byte[] read, int readCount)
        {
            int[] held = _outputs.Hold(_user);
            if (held.Length > 0)
            {
                Thread.Sleep(RailRiseMs);
            }

            ReadResult r = _bus.WriteRead(address, write, writeCount, read, readCount);
            _outputs.Release(held);
            return r;
        }
    }
}
