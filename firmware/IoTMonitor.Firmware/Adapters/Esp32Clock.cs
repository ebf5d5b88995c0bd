using System;
using System.Threading;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IClock"/> and the drivers' <see cref="IMillisecondClock"/> on the ESP32:
    /// DateTime.UtcNow is kept by the RTC across deep sleep (reference §4), TickCount64 comes
    /// from nanoFramework.Runtime.Native.
    /// </summary>
    public sealed class Esp32Clock : IClock, IMillisecondClock
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
        public long NowMs
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
