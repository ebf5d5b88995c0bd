using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// Capacitive soil moisture (v1.2 style, output falls as moisture rises): %VWC linear between
    /// the dry point (0 %) and the wet point (100 %), clamped to 0–100. A reading beyond a point by
    /// more than <see cref="ToleranceFraction"/> of the span is flagged out of range (probe out of
    /// the soil, or the calibration no longer fits). Typical dry/wet volts are unconfirmed
    /// (reference B7): the constructor takes them from the config, and each probe should be
    /// calibrated.
    /// </summary>
    public sealed class SoilMoistureProbe : IAnalogProbe, ICalibratable
    {
        /// <summary>Fraction of the dry–wet span a reading may overshoot before it is flagged.</summary>
        public const double ToleranceFraction = 0.1;

        private double _dryVolts;
        private double _wetVolts;

        /// <summary>Creates the probe with its dry (in air) and wet (in water) voltages.</summary>
        public SoilMoistureProbe(double dryVolts, double wetVolts)
        {
            _dryVolts = dryVolts;
            _wetVolts = wetVolts;
            Rails = new RailCheck(0.05, double.NaN);
        }

        /// <summary>Open/short detection on the pin voltage.</summary>
        public RailCheck Rails { get; private set; }

        /// <summary>Voltage at 0 %.</summary>
        public double DryVolts
        {
            get { return _dryVolts; }
        }

        /// <summary>Voltage at 100 %.</summary>
        public double WetVolts
        {
            get { return _wetVolts; }
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 1; }
        }

        /// <inheritdoc />
        public string CalibrationId { get; private set; }

        /// <inheritdoc />
        public CalibrationKind CalibrationKind
        {
            get { return CalibrationKind.Moisture; }
        }

        /// <inheritdoc />
        public ReadResult Convert(double volts, double[] values)
        {
            ReadResult rail = Rails.Check(volts);
            if (rail != ReadResult.Ok)
            {
                return rail;
            }

            double span = _dryVolts - _wetVolts;
            if (span == 0)
            {
                return ReadResult.Fault;
            }

            double fraction = (_dryVolts - volts) / span;
            double pct = fraction < 0 ? 0 : fraction > 1 ? 100 : fraction * 100.0;
            values[0] = pct;
            return fraction < -ToleranceFraction || fraction > 1 + ToleranceFraction ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        /// <summary>Two steps: probe in dry air (0 %), then in water up to the line (100 %).</summary>
        public CalibrationProcedure CreateProcedure()
        {
            return new CalibrationProcedure(CalibrationKind.Moisture, new CalibrationStep[]
            {
                new CalibrationStep("Hold the clean, dry probe in air", 0.0, "%", 0.05, double.NaN),
                new CalibrationStep("Put the probe in water up to the line", 100.0, "%", 0.05, double.NaN),
            }, 0);
        }

        /// <summary>Takes two (volts, %) points and extends their line to 0 % and 100 %.</summary>
        public CalibrationResult Apply(CalibrationRecord record)
        {
            if (record == null || record.Kind != CalibrationKind.Moisture)
            {
                return CalibrationResult.WrongKind;
            }

            if (record.PointCount != 2 || record.Raw(0) == record.Raw(1) || record.Reference(0) == record.Reference(1))
            {
                return CalibrationResult.Degenerate;
            }

            double v0 = record.Raw(0);
            double p0 = record.Reference(0);
            double voltsPerPct = (record.Raw(1) - v0) / (record.Reference(1) - p0);
            _dryVolts = v0 + ((0 - p0) * voltsPerPct);
            _wetVolts = v0 + ((100 - p0) * voltsPerPct);
            CalibrationId = record.Id;
            return CalibrationResult.Ok;
        }
    }
}
