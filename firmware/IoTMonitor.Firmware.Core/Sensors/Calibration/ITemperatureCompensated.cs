namespace IoTMonitor.Firmware.Core.Sensors.Calibration
{
    /// <summary>
    /// A probe whose conversion depends on the temperature of the medium it sits in (pH: Nernst
    /// slope; EC: compensation to 25 °C; DO: saturation). Sampling/Sampler is the one place that
    /// sets it: before each round's read, to the water or soil temperature measured in the same
    /// round, or to <see cref="TemperatureCompensation.ReferenceC"/> when that round has none.
    /// </summary>
    public interface ITemperatureCompensated
    {
        /// <summary>Medium temperature, °C, used by the next conversions.</summary>
        double TemperatureC { get; set; }
    }

    /// <summary>Constants of temperature compensation.</summary>
    public static class TemperatureCompensation
    {
        /// <summary>Reference temperature of pH/EC compensation and of uncompensated reads, °C.</summary>
        public const double ReferenceC = 25.0;
    }
}
