namespace IoTMonitor.Firmware.Core.Time
{
    /// <summary>
    /// Sets the node's real-time clock from the network's time (a cellular node has no SNTP before
    /// its data session, and the modem keeps NITZ time), implemented by the host (ESP32: the RTC;
    /// virtual node: its clock).
    /// </summary>
    public interface IClockSetter
    {
        /// <summary>Sets the clock to <paramref name="utcSeconds"/> since 1970.</summary>
        void SetUtc(long utcSeconds);
    }
}
