using System;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using nanoFramework.Hardware.Esp32;
using nanoFramework.Runtime.Native;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IPower"/> on the ESP32 (nanoFramework.Hardware.Esp32 Sleep, Runtime.Native Power,
    /// reference §4 and §14): wake cause, battery divider, deep sleep with timer + pin wake-up,
    /// software reset.
    /// </summary>
    /// <remarks>
    /// Reset reason: nanoFramework exposes only the wake cause (Sleep.GetWakeupCause). Any wake
    /// source reports <see cref="ResetReason.DeepSleepWake"/>; <c>Undefined</c> (power-on, reset
    /// button, brown-out, watchdog, panic, software reboot — indistinguishable through the API)
    /// reports <see cref="ResetReason.Unknown"/>, which the core treats as a cold start.
    /// Deep sleep never returns: the wake restarts the app at Main (statics and heap lost).
    /// </remarks>
    public sealed class Esp32Power : IPower
    {
        private readonly IAnalogInput _battery;
        private readonly double _dividerRatio;
        private readonly Sleep.WakeupGpioPin _wakePin;
        private readonly Sleep.WakeupGpioPin _counterPin;
        private readonly GpioOutput[] _railsOffBeforeSleep;
        private readonly ResetWatchdog _resetWatchdog;

        /// <summary>
        /// Battery on <paramref name="battery"/> behind a divider of <paramref name="dividerRatio"/>
        /// (pin = VBAT / ratio); wake on <paramref name="wakePin"/> at level 0 (service button)
        /// besides the timer; <paramref name="railsOffBeforeSleep"/> are driven low before sleeping;
        /// <paramref name="resetWatchdog"/> (null: not fitted) gets its DONE as the last step before sleep.
        /// </summary>
        public Esp32Power(IAnalogInput battery, double dividerRatio, Sleep.WakeupGpioPin wakePin, Sleep.WakeupGpioPin counterPin, GpioOutput[] railsOffBeforeSleep, ResetWatchdog resetWatchdog)
        {
            _counterPin = counterPin;
            _resetWatchdog = resetWatchdog;
            _battery = battery;
            _dividerRatio = dividerRatio;
            _wakePin = wakePin;
            _railsOffBeforeSleep = railsOffBeforeSleep;
        }

        /// <inheritdoc />
        public ResetReason ResetReason
        {
            get
            {
                Sleep.WakeupCause cause = Sleep.GetWakeupCause();
                return cause == Sleep.WakeupCause.Undefined ? ResetReason.Unknown : ResetReason.DeepSleepWake;
            }
        }

        /// <inheritdoc />
        public bool CounterWake { get; set; }

        /// <inheritdoc />
        public double ReadBatteryVolts()
        {
            double volts;
            return _battery != null && _battery.TryReadVolts(out volts) ? volts * _dividerRatio : double.NaN;
        }

        /// <inheritdoc />
        public void DeepSleep(int seconds)
        {
            for (int i = 0; i < _railsOffBeforeSleep.Length; i++)
            {
                _railsOffBeforeSleep[i].Set(false);
            }

            if (_resetWatchdog != null)
            {
                // Every way into deep sleep comes here, after the cycle committed its files (or the
                // managed watchdog had it save them): only a wake that got this far sends DONE, and
                // the sleep is cut so the next DONE falls within the TPL5010's interval.
                seconds = _resetWatchdog.CapSleep(seconds);
                _resetWatchdog.Done();
            }

            Sleep.EnableWakeupByTimer(TimeSpan.FromSeconds(seconds));
            if (_wakePin != Sleep.WakeupGpioPin.None)
            {
                Sleep.EnableWakeupByPin(_wakePin, 0);
            }

            // EXT1 (the RTC controller; EXT0 above uses the RTC IO block): the PCF8593's INT
            // pulled low by its event alarm ends the sleep, Sleep.WakeupCause.Ext1 at the wake.
            if (CounterWake && _counterPin != Sleep.WakeupGpioPin.None)
            {
                Sleep.EnableWakeupByMultiPins(_counterPin, Sleep.WakeupMode.AllLow);
            }

            Sleep.StartDeepSleep();
        }

        /// <inheritdoc />
        public void Reboot()
        {
            Power.RebootDevice();
        }
    }
}
