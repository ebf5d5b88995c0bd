namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// Outcome of one sensor read. A result code, not an exception, so a failed read costs no
    /// allocation on the hot path. <see cref="ReadResultQuality.ToFlags"/> maps each code to the
    /// protocol's quality flags (docs/protocol.md §4).
    /// </summary>
    public enum ReadResult
    {
        /// <summary>Values were read and are valid.</summary>
        Ok = 0,

        /// <summary>A conversion is still running; ask again later (no sample taken).</summary>
        NotReady = 1,

        /// <summary>Values were read before the warm-up time elapsed; they are sent flagged WARMING_UP.</summary>
        WarmingUp = 2,

        /// <summary>The device did not answer (I2C NACK, UART silence, no 1-Wire presence pulse).</summary>
        NoResponse = 3,

        /// <summary>A frame arrived but its checksum/CRC did not match.</summary>
        BadCrc = 4,

        /// <summary>The driver read a value outside what the device can report (saturated ADC, sentinel).</summary>
        OutOfRange = 5,

        /// <summary>Analog input at the rail or floating: probe disconnected or cable cut.</summary>
        OpenCircuit = 6,

        /// <summary>Analog input shorted to ground or supply.</summary>
        ShortCircuit = 7,

        /// <summary>The bus itself failed (arbitration lost, UART overrun, timeout).</summary>
        BusError = 8,

        /// <summary>The device reported an internal fault but still produced a value (sent with SENSOR_FAULT).</summary>
        FaultWithValue = 9,

        /// <summary>The device reported an internal fault and produced no value.</summary>
        Fault = 10,

        /// <summary>Read called before a successful <see cref="ISensor.Initialize"/>.</summary>
        NotInitialized = 11,
    }
}
