namespace IoTMonitor.Firmware.Core.Sensors.Calibration
{
    /// <summary>
    /// A finished calibration: the one record format of the node. It is stored in the device
    /// config's sensor entry (<c>calibration: { id, kind, points: [[raw, reference], …], tempCoeff,
    /// tempC, at }</c>, read by Config/ConfigParser, written by <see cref="CalibrationRecordWriter"/>),
    /// applied to the probe by Sampling/Sampler, and its id can name the telemetry batch (protocol
    /// v1 §4, <c>cal</c>, ≤ 32 characters). Raw values are what the reading's <c>raw</c> carries:
    /// the ADC pin volts for the analog probes. Points keep the order they were captured in.
    /// </summary>
    public sealed class CalibrationRecord
    {
        /// <summary>Longest id the protocol's <c>cal</c> field takes.</summary>
        public const int MaxIdLength = 32;

        /// <summary>Most points a record may have (a config's <c>points</c> array).</summary>
        public const int MaxPoints = 8;

        private readonly double[] _raw;
        private readonly double[] _reference;

        /// <summary>Creates a record; the point arrays are copied. <paramref name="temperatureC"/> is the solution temperature during calibration.</summary>
        public CalibrationRecord(string id, CalibrationKind kind, double[] raw, double[] reference, int pointCount, double tempCoeff, double temperatureC, long createdUnixSeconds)
        {
            Id = id;
            Kind = kind;
            PointCount = pointCount;
            _raw = new double[pointCount];
            _reference = new double[pointCount];
            for (int i = 0; i < pointCount; i++)
            {
                _raw[i] = raw[i];
                _reference[i] = reference[i];
            }

            TempCoeff = tempCoeff;
            TemperatureC = temperatureC;
            CreatedUnixSeconds = createdUnixSeconds;
        }

        /// <summary>Record id, sent as the batch's <c>cal</c>.</summary>
        public string Id { get; private set; }

        /// <summary>What the record calibrates.</summary>
        public CalibrationKind Kind { get; private set; }

        /// <summary>Number of (raw, reference) points.</summary>
        public int PointCount { get; private set; }

        /// <summary>Temperature coefficient per °C (EC: 0.02 = 2 %/°C); 0 when not applicable.</summary>
        public double TempCoeff { get; private set; }

        /// <summary>Temperature of the standard during calibration, °C (25 when not measured).</summary>
        public double TemperatureC { get; private set; }

        /// <summary>When the record was made, Unix seconds (for expiry → UNCALIBRATED).</summary>
        public long CreatedUnixSeconds { get; private set; }

        /// <summary>Raw value of point <paramref name="i"/>.</summary>
        public double Raw(int i)
        {
            return _raw[i];
        }

        /// <summary>Reference value of point <paramref name="i"/>.</summary>
        public double Reference(int i)
        {
            return _reference[i];
        }

        /// <summary>
        /// A default id: kind name, '-', creation time in Unix seconds ("ph-1764317700"), short
        /// enough for the protocol and unique per probe kind and second.
        /// </summary>
        public static string MakeId(CalibrationKind kind, long createdUnixSeconds)
        {
            return CalibrationKinds.Name(kind) + "-" + createdUnixSeconds.ToString();
        }
    }
}
