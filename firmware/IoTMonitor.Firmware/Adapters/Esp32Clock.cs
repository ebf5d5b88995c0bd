using System;
using System.Threading;
using IoTMonitor.Firmware.Core.Time;
using nanoFramework.Runtime.Native;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IClock"/> of the node and its drivers on the ESP32:
    /// DateTime.UtcNow is kept by the RTC across deep sleep (reference §4), TickCount64 comes
    /// from nanoFramework.Runtime.Native. As <see cref="IClockSetter"/> it sets the system clock from
    /// the battery-backed RTC (Core Node/BackupClock) with Rtc.SetSystemTime, which keeps whole seconds
    /// (reference §9).
    /// </summary>
    public sealed class Esp32Clock : IClock, IClockSetter
    {
        /// <inheritdoc />
        public long UtcSeconds
        {
            get { return DateTime.UtcNow.ToUnixTimeSeconds(); }
        }

        /// <inheritdoc />
        public long Millis
        {
            get { return Environment.TickCount64; }
        }

        /// <inheritdoc />
        public void SetUtc(long utcSeconds)
        {
            Rtc.SetSystemTime(DateTime.FromUnixTimeSeconds(utcSeconds));
        }

        /// <inheritdoc />
        public void Sleep(int ms)
        {
            Thread.Sleep(ms);
        }
    }
}
