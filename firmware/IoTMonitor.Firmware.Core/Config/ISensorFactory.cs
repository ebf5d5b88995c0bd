using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>
    /// Builds the driver for a config entry, implemented by the host (ESP32: real buses and pins;
    /// virtual node: simulated sensors). Called once per wake after the config is loaded.
    /// </summary>
    public interface ISensorFactory
    {
        /// <summary>
        /// The driver for <paramref name="config"/> (kind, pins, bus, address), or null when the
        /// host has no driver for that kind: its quantities are then queued with NO_VALUE.
        /// </summary>
        ISensor Create(SensorConfig config);
    }
}
