namespace IoTMonitor.Firmware.Core.Calibration
{
    /// <summary>How a calibration turns a raw driver value into the quantity's unit (docs/config.md).</summary>
    public enum CalibrationKind
    {
        /// <summary>Piecewise linear through the points (one point: an offset).</summary>
        Linear = 0,

        /// <summary>pH probe: linear in volts at 25 °C, slope corrected by Nernst for the water temperature.</summary>
        Ph = 1,

        /// <summary>EC probe: linear, then compensated to 25 °C with <c>tempCoeff</c> (default 0.02 /°C).</summary>
        Ec = 2,

        /// <summary>Dissolved oxygen: linear through the (zero, saturation) points.</summary>
        Do = 3,

        /// <summary>Soil moisture: linear between dry and wet points, clamped to 0–100 %VWC.</summary>
        Moisture = 4,

        /// <summary>Level / pressure transducer: linear (volts or mA to metres).</summary>
        Level = 5,
    }
}
