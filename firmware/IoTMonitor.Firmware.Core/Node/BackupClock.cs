using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Ds3231;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// The node's battery-backed RTC (config <c>rtc</c>, hardware/common/rtc-backup.md): sets the
    /// node's clock from it at a wake whose clock is unset (after a power-on), and writes it after every
    /// network time sync, so it is only ever set from SNTP/NITZ time, never from the ESP32's drifting
    /// RC clock.
    /// </summary>
    /// <remarks>
    /// A read is used only when OSF is 0 (DS3231 datasheet 19-5170 Rev 10, "Status Register (0Fh)":
    /// the time is not valid after the oscillator stopped) and the time is synced by the protocol's rule
    /// (§3, at or after <see cref="ProtocolLimits.SyncedEpoch"/>). Time restored this way is off by the
    /// DS3231's drift since the last write: ±2 ppm from 0 °C to +40 °C (datasheet, Electrical
    /// Characteristics), about 0.2 s a day, well inside the whole-second resolution of <c>t</c>.
    /// </remarks>
    public sealed class BackupClock
    {
        private readonly IBusProvider _buses;
        private readonly IClockSetter _setter;

        /// <summary>An RTC on the host's <paramref name="buses"/>; <paramref name="setter"/> sets the node's clock.</summary>
        public BackupClock(IBusProvider buses, IClockSetter setter)
        {
            _buses = buses;
            _setter = setter;
        }

        /// <summary>
        /// Reads the RTC on I2C bus <paramref name="bus"/> and, when its time is valid, sets the node's
        /// clock to it. Returns what was read: Ok (clock set), NotInitialized (OSF set or a time before
        /// the synced epoch: ignored), NoResponse when the bus or the chip is missing, or the read's error.
        /// </summary>
        public ReadResult Restore(int bus)
        {
            Ds3231Clock rtc = Rtc(bus);
            if (rtc == null)
            {
                return ReadResult.NoResponse;
            }

            long utc;
            bool stopped;
            ReadResult r = rtc.Read(out utc, out stopped);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            if (stopped || utc < ProtocolLimits.SyncedEpoch)
            {
                return ReadResult.NotInitialized;
            }

            _setter.SetUtc(utc);
            return ReadResult.Ok;
        }

        /// <summary>Writes <paramref name="utcSeconds"/> (a network-synced time) to the RTC on bus <paramref name="bus"/> and clears OSF.</summary>
        public ReadResult Save(int bus, long utcSeconds)
        {
            Ds3231Clock rtc = Rtc(bus);
            return rtc == null ? ReadResult.NoResponse : rtc.Write(utcSeconds);
        }

        private Ds3231Clock Rtc(int bus)
        {
            II2cBus i2c = _buses.I2c(bus);
            return i2c == null ? null : new Ds3231Clock(i2c);
        }
    }
}
