namespace IoTMonitor.Firmware.Core.Calibration
{
    /// <summary>
    /// A calibration as data (config key <c>calibration</c>): the kind and its points
    /// <c>[[raw, reference], …]</c> sorted by raw. The raw value is kept on the reading beside the
    /// calibrated one, so the gateway can recompute with a later calibration.
    /// </summary>
    public sealed class CalibrationConfig
    {
        /// <summary>Most points a calibration may have.</summary>
        public const int MaxPoints = 8;

        /// <summary>Calibration record id (sent as <c>cal</c>).</summary>
        public string Id;

        /// <summary>How to apply the points.</summary>
        public CalibrationKind Kind;

        /// <summary>Raw values of the points, ascending.</summary>
        public double[] Raw = new double[0];

        /// <summary>Reference values of the points.</summary>
        public double[] Reference = new double[0];

        /// <summary>Temperature coefficient per °C (EC; 0 means the default 0.02).</summary>
        public double TempCoeff;
    }
}
