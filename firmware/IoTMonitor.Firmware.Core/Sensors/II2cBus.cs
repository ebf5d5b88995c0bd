namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// An I2C bus as the drivers see it, implemented by the host (ESP32: System.Device.I2c; tests:
    /// a register-array fake). Buffers are the caller's: no allocation per transfer.
    /// </summary>
    public interface II2cBus
    {
        /// <summary>
        /// Writes <paramref name="writeCount"/> bytes of <paramref name="write"/> to
        /// <paramref name="address"/> and then reads <paramref name="readCount"/> bytes into
        /// <paramref name="read"/> (either count may be 0). Returns Ok, NoResponse (NACK) or BusError.
        /// </summary>
        ReadResult WriteRead(int address, byte[] write, int writeCount, byte[] read, int readCount);
    }
}
