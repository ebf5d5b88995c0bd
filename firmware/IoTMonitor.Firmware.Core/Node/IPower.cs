using IoTMonitor.Firmware.Core.Protocol;

namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// Power and reset control, implemented by the host (ESP32: Sleep.GetWakeupCause,
    /// Sleep.EnableWakeupByTimer + StartDeepSleep, Power.RebootDevice, battery divider ADC;
    /// virtual node / tests: a fake that records the sleep).
    /// </summary>
    public interface IPower
    {
        /// <summary>Why this run started; anything but DeepSleepWake is a cold start (boot counter + 1).</summary>
        ResetReason ResetReason { get; }

        /// <summary>Battery voltage in volts (NaN when not measurable).</summary>
        double ReadBatteryVolts();

        /// <summary>
        /// Deep-sleeps for <paramref name="seconds"/>. On the ESP32 this never returns (the wake
        /// restarts the app at Main); a host simulation returns, and the next NodeCycle.Run is the wake.
        /// </summary>
        void DeepSleep(int seconds);

        /// <summary>
        /// Set before <see cref="DeepSleep"/>: the sleep also ends when the rain counter's INT
        /// (open drain, active low) goes low — ESP32: EXT1 "all low" on its RTC GPIO, reported as
        /// <c>Sleep.WakeupCause.Ext1</c>. Only on a node whose config has a counter with an alarm,
        /// so an unfitted, floating input never wakes it.
        /// </summary>
        bool CounterWake { get; set; }

        /// <summary>Software reset (command <c>reboot</c>). Like DeepSleep, may not return.</summary>
        void Reboot();
    }
}
