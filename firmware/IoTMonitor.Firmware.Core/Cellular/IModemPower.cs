namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// The modem's supply and PWRKEY, implemented by the host (ESP32: a load-switch GPIO and the
    /// PWRKEY pulse of the module's hardware design guide; host model: the simulated modem's power).
    /// </summary>
    public interface IModemPower
    {
        /// <summary>Powers the modem and starts it (returns once the start pulse is given, not when it is ready).</summary>
        void On();

        /// <summary>Cuts the modem's supply (after a graceful power-down when it still answers).</summary>
        void Off();
    }
}
