namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// A 1-Wire bus (DS18B20), implemented by the host (ESP32: nanoFramework OneWire over UART).
    /// </summary>
    public interface IOneWireBus
    {
        /// <summary>Sends a reset pulse; true when a device answered with a presence pulse.</summary>
        bool Reset();

        /// <summary>Writes one byte.</summary>
        void WriteByte(byte value);

        /// <summary>Reads one byte.</summary>
        byte ReadByte();
    }
}
