namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// The buses a host has for the drivers, looked up by the config's pins and numbers
    /// (Config/SensorCatalog). The ESP32 app supplies the real ones (ADC1, I2C1, COM2, the
    /// 1-Wire host on COM3); the virtual node supplies simulated ones. Null means "not on this
    /// board": the entry then gets no driver and its quantities go out as NO_VALUE. Never throws
    /// for a pin the board does not have, so a config typo cannot stop a wake.
    /// </summary>
    public interface IBusProvider
    {
        /// <summary>The ADC input on GPIO <paramref name="pin"/>, or null.</summary>
        IAnalogInput Analog(int pin);

        /// <summary>I2C bus number <paramref name="bus"/> (config <c>bus</c>, -1 when absent), or null.</summary>
        II2cBus I2c(int bus);

        /// <summary>The serial port on <paramref name="tx"/>/<paramref name="rx"/> at <paramref name="baudRate"/> 8N1, or null.</summary>
        IUart Uart(int tx, int rx, int baudRate);

        /// <summary>The 1-Wire bus on <paramref name="tx"/>/<paramref name="rx"/> (a UART-driven 1-Wire host), or null.</summary>
        IOneWireBus OneWire(int tx, int rx);
    }
}
