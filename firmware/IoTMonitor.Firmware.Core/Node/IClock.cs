namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// Time as the node sees it, implemented by the host (ESP32: DateTime.UtcNow kept by the RTC
    /// across deep sleep, Environment.TickCount64, Thread.Sleep; tests: FakeClock).
    /// </summary>
    /// <remarks>
    /// Lifecycle: valid for one wake. <see cref="UtcSeconds"/> survives deep sleep (RTC) but
    /// restarts at 0 after a power-on until the first SNTP sync (protocol §3: unsynced &lt;
    /// 1600000000); <see cref="Millis"/> is monotonic within the wake only.
    /// </remarks>
    public interface IClock
    {
        /// <summary>Seconds since 1970 UTC (or since power-on while unsynced).</summary>
        long UtcSeconds { get; }

        /// <summary>Monotonic milliseconds, for timeouts and the awake cap.</summary>
        long Millis { get; }

        /// <summary>Blocks for <paramref name="ms"/> milliseconds (warm-up, backoff between tries).</summary>
        void Sleep(int ms);
    }
}
