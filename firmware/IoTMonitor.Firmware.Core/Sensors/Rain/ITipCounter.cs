namespace IoTMonitor.Firmware.Core.Sensors.Rain
{
    /// <summary>
    /// A counter of rain-gauge tips that keeps counting while the ESP32 deep-sleeps: the PCF8593
    /// event counter (<see cref="Pcf8593TipCounter"/>), an RS485 gauge's own counter register
    /// (<see cref="ModbusTipCounter"/>), or the virtual node's simulated gauge.
    /// </summary>
    public interface ITipCounter
    {
        /// <summary>The count wraps to 0 at this value (PCF8593: 1 000 000; a 16-bit register: 65 536).</summary>
        long Modulus { get; }

        /// <summary>
        /// Reads the count. <paramref name="restarted"/> is true when the counter shows it lost its
        /// count since it was last configured (power loss): <paramref name="count"/> is then what it
        /// counted since its power-up (the PCF8593 counts nothing until set up again: 0). Ok,
        /// NotReady while a bus exchange is under way, or the bus error.
        /// </summary>
        ReadResult Read(out long count, out bool restarted);

        /// <summary>
        /// Makes the counter signal (PCF8593: INT pulled low, an EXT1 wake) when its count reaches
        /// <paramref name="alarmCount"/> (taken modulo <see cref="Modulus"/>); a new arming clears
        /// a signal still pending. NotSupported when the counter has no such output.
        /// </summary>
        ReadResult ArmAlarm(long alarmCount);

        /// <summary>Turns the alarm off and releases its signal (Ok at once when it was off).</summary>
        ReadResult DisarmAlarm();
    }
}
