namespace IoTMonitor.Firmware.Core.Time
{
    /// <summary>
    /// Time as the node sees it, implemented by the host (ESP32: DateTime.UtcNow kept by the RTC
    /// across deep sleep, Environment.TickCount64, Thread.Sleep; tests: FakeClock).
    /// </summary>
    /// <remarks>
    /// Lifecycle: valid for one wake. <see cref="UtcSeconds"/> survives deep sleep (RTC) but
    /// restarts at 0 after a power-on until the first SNTP sync (protocol §3: unsynced &lt;
    /// 1600000000); <see cref="Millis"/> is monotonic within the wake only.
    /// One clock for the whole core: the drivers that time a reply or a warm-up themselves (UART
    /// request/response, Modbus timeouts, SCD4x data-ready, ADS1115 conversions) read the same
    /// <see cref="Millis"/> the node cycle uses for its awake cap, so a driver's timeout and the
    /// cycle's budget can never disagree. Drivers only compare two readings of <see cref="Millis"/>:
    /// they never call <see cref="Sleep"/> (the cycle owns every wait, see ISensor) and never read
    /// <see cref="UtcSeconds"/> (a reading's time is stamped by the cycle).
    /// </remarks>
    public interface IClock
    {
        /// <summary>Seconds since 1970 UTC (or since power-on while unsynced).</summary>
        long UtcSeconds { get; }

        /// <summary>Monotonic milliseconds since an arbitrary origin, for timeouts and the awake cap; never decreases.</summary>
        long Millis { get; }

        /// <summary>Blocks for <paramref name="ms"/> milliseconds (warm-up, backoff between tries).</summary>
        void Sleep(int ms);
    }
}
