// DateTime.UtcNow as the adapters read it: the RTC (gettimeofday) of the model, which drifts in deep
// sleep and reads 1970 after a power-on (reference §9). The BCL's DateTime cannot be replaced, so
// this type shadows it for the app's adapter and top-level namespaces only (a type in an enclosing
// namespace wins over a using directive); the app's code is unchanged.
using IoTMonitor.Firmware.Emulator.Device;

namespace IoTMonitor.Firmware
{
    internal static class DateTime
    {
        public static RtcTime UtcNow
        {
            get { return new RtcTime(Esp32Device.Current.RtcMs); }
        }

        /// <summary>nanoFramework mscorlib's DateTime.FromUnixTimeSeconds (what Rtc.SetSystemTime takes).</summary>
        public static System.DateTime FromUnixTimeSeconds(long seconds)
        {
            return System.DateTime.UnixEpoch.AddSeconds(seconds);
        }
    }

    internal readonly struct RtcTime
    {
        private readonly long _unixMs;

        public RtcTime(long unixMs)
        {
            _unixMs = unixMs;
        }

        public int Year
        {
            get { return System.DateTime.UnixEpoch.AddMilliseconds(_unixMs).Year; }
        }

        /// <summary>100 ns ticks since 0001-01-01, as DateTime.Ticks.</summary>
        public long Ticks
        {
            get { return System.DateTime.UnixEpoch.Ticks + (_unixMs * System.TimeSpan.TicksPerMillisecond); }
        }

        public long ToUnixTimeSeconds()
        {
            return _unixMs >= 0 ? _unixMs / 1000 : ((_unixMs + 1) / 1000) - 1;
        }
    }
}
