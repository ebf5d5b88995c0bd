using System.Device.Gpio;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// The DONE line of the optional TPL5010 reset watchdog (hardware/common/watchdog.md). The timer pulls
    /// the ESP32's EN low when no DONE edge came during one of its intervals; the app sends DONE once per
    /// wake, as the last step before deep sleep, after the cycle committed its files. A wake that hangs
    /// in a native call (which stops the managed watchdog timer too, reference §8) never gets there and
    /// is reset within two intervals.
    /// </summary>
    public sealed class ResetWatchdog
    {
        /// <summary>
        /// Share of the interval one sleep plus the next wake may use, percent: the RTC that times the
        /// sleep runs from the internal RC, up to 5 % fast or slow (reference §9); the TPL5010 is 1 %.
        /// </summary>
        public const int IntervalSharePercent = 94;

        private readonly GpioPin _done;
        private readonly int _intervalSec;

        /// <summary>Opens <paramref name="doneGpio"/> as an output, low (a 100 kΩ pull-down holds it low in deep sleep).</summary>
        public ResetWatchdog(GpioController gpio, int doneGpio, int intervalSec)
        {
            _done = gpio.OpenPin(doneGpio, PinMode.Output);
            _done.Write(PinValue.Low);
            _intervalSec = intervalSec;
        }

        /// <summary>
        /// The longest a wake may last, s: the effective maxAwakeSec (the remote value once the cycle
        /// has loaded it), kept up to date by Program's managed watchdog.
        /// </summary>
        public int AwakeCapSec { get; set; }

        /// <summary>
        /// The longest sleep that keeps two DONEs within one interval when the next wake may last
        /// <see cref="AwakeCapSec"/> (plus the managed watchdog's grace).
        /// </summary>
        public int CapSleep(int sleepSec)
        {
            int cap = (int)((long)_intervalSec * IntervalSharePercent / 100) - AwakeCapSec - Program.WatchdogGraceSec;
            if (cap < 1)
            {
                cap = 1;
            }

            return sleepSec > cap ? cap : sleepSec;
        }

        /// <summary>A DONE pulse, high then low: as long as two interpreted GPIO writes (microseconds); the minimum width is in SNAS651A §7.6, checked on the bench scope (hardware/common/watchdog.md).</summary>
        public void Done()
        {
            _done.Write(PinValue.High);
            _done.Write(PinValue.Low);
        }
    }
}
