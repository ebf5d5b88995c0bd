namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// The modem's supply and PWRKEY, implemented by the host (ESP32: a load-switch GPIO and the
    /// PWRKEY pulse of the module's hardware design guide; host model: the simulated modem's power).
    /// </summary>
    public interface IModemPower
    {
        /// <summary>
        /// True when the supply stays on while the node sleeps between uploads, so a module left in PSM
        /// is still there at the next upload. False where the node's sleep cuts it (the link then
        /// never leaves the module on: it switches it off between uploads).
        /// </summary>
        bool HoldsThroughSleep { get; }

        /// <summary>Powers the modem and starts it (returns once the start pulse is given, not when it is ready).</summary>
        void On();

        /// <summary>Cuts the modem's supply (after a graceful power-down when it still answers).</summary>
        void Off();

        /// <summary>Wakes a powered module from PSM (a PWRKEY pulse; the module keeps its registration).</summary>
        void Wake();
    }
}
