namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// A monotonic millisecond clock for drivers that must time a reply or a warm-up themselves
    /// (UART request/response, Modbus timeouts, SCD4x data-ready). Implemented by the host
    /// (ESP32: a Stopwatch-like tick source; tests: a hand-advanced fake). Drivers only compare
    /// two readings of it; they never sleep.
    /// </summary>
    /// <remarks>
    /// Not part of the core contract (ISensor, IUart…): added by the drivers work (issue 4) in the
    /// Modbus folder, under the core's Sensors namespace so it can move next to IUart unchanged.
    /// </remarks>
    public interface IMillisecondClock
    {
        /// <summary>Milliseconds since an arbitrary origin; never decreases.</summary>
        long NowMs { get; }
    }
}
