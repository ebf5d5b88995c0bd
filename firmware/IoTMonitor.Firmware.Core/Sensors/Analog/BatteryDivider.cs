using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// Battery voltage through a resistor divider: V_bat = V_pin·(R_top + R_bottom)/R_bottom.
    /// Calibration is one point against a multimeter (kind linear: (pin volts, battery volts)),
    /// which absorbs resistor tolerance and ADC gain error.
    /// </summary>
    public sealed class BatteryDivider : IAnalogProbe, ICalibratable
    {
        /// <summary>Highest plausible battery voltage (protocol §8 device.battery 0–5 V).</summary>
        public const double MaxVolts = 5.0;

        /// <summary>Creates the divider from its resistors, ohms.</summary>
        public BatteryDivider(double topOhms, double bottomOhms)
        {
            Ratio = bottomOhms > 0 ? (topOhms + bottomOhms) / bottomOhms : 0;
            Rails = new RailCheck(0.05, double.NaN);
        }

        /// <summary>Battery volts per pin volt.</summary>
        public double Ratio { get; private set; }

        /// <summary>Open detection: a pin at 0 V means the divider or the battery lead is open.</summary>
        public RailCheck Rails { get; private set; }

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
            get { return CalibrationKind.Linear; }
        }

        /// <inheritdoc />
        public ReadResult Convert(double volts, double[] values)
        {
            ReadResult rail = Rails.Check(volts);
            if (rail != ReadResult.Ok)
            {
                return rail;
            }

            double v = volts * Ratio;
            values[0] = v;
            return v > MaxVolts ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        /// <summary>One step: measure the battery with a multimeter and enter the reading.</summary>
        public CalibrationProcedure CreateProcedure()
        {
            return new CalibrationProcedure(CalibrationKind.Linear, new CalibrationStep[]
            {
                new CalibrationStep("Measure the battery terminals with a multimeter; enter the reading", 3.7, "V", 0.05, double.NaN),
            }, 0);
        }

        /// <summary>Ratio = reference / raw of the first point.</summary>
        public CalibrationResult Apply(CalibrationRecord record)
        {
            if (record == null || record.Kind != CalibrationKind.Linear)
            {
                return CalibrationResult.WrongKind;
            }

            if (record.PointCount < 1 || !(record.Raw(0) > 0) || !(record.Reference(0) > 0))
            {
                return CalibrationResult.Degenerate;
            }

            Ratio = record.Reference(0) / record.Raw(0);
            CalibrationId = record.Id;
            return CalibrationResult.Ok;
        }
    }
}
