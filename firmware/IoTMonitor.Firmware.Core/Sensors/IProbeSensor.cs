using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// A driver whose conversion is a separate probe's math on a measured pin voltage (the analog
    /// probes): the probe, not the driver, holds the calibration and takes the medium's temperature,
    /// and the voltage behind each value is the reading's raw field. The sampler reaches those
    /// through this contract so it stays independent of which drivers exist.
    /// </summary>
    public interface IProbeSensor : ISensor
    {
        /// <summary>The probe's calibration, or null when its math takes none.</summary>
        ICalibratable Calibratable { get; }

        /// <summary>The probe's temperature input, or null when its math needs none.</summary>
        ITemperatureCompensated Compensated { get; }

        /// <summary>Pin voltage of the last successful read (the reading's raw value).</summary>
        double LastVolts { get; }
    }
}
