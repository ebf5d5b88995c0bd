using System;
using System.Threading;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IClock"/> of the node and its drivers on the ESP32:
    /// DateTime.UtcNow is kept by the RTC across deep sleep (reference §4), TickCount64 comes
    /// from nanoFramework.Runtime.Native.
    /// </summary>
    public sealed class Esp32Clock : IClock
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
        public void Sleep(int ms)
        {
            Thread.Sleep(ms);
        }
    }
}
