namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// One ADC channel, implemented by the host (ESP32: AdcController channel; .NET: simulation).
    /// Used by the analog probe drivers (pH, EC, turbidity, DO, level, battery divider).
    /// </summary>
    public interface IAnalogInput
    {
        /// <summary>Reads the pin voltage in volts after the host's ADC calibration. False on failure.</summary>
        bool TryReadVolts(out double volts);
    }
}
