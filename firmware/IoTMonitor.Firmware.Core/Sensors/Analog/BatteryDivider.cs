using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// Battery voltage through a resistor divider: V_bat = V_pin·(R_top + R_bottom)/R_bottom.
    /// Calibration (kind linear, (pin volts, battery volts) against a multimeter) absorbs resistor
    /// tolerance and ADC gain error: one point sets the ratio (a divider reads 0 at 0 V); two or more
    /// points, at different states of charge, give a piecewise-linear line that also absorbs the
    /// ADC's offset.
    /// </summary>
    public sealed class BatteryDivider : IAnalogProbe, ICalibratable
    {
        /// <summary>Highest plausible battery voltage (protocol §8 device.battery 0–5 V).</summary>
        public const double MaxVolts = 5.0;

        private readonly double[] _pin = new double[CalibrationRecord.MaxPoints];
        private readonly double[] _battery = new double[CalibrationRecord.MaxPoints];
        private int _points;

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

            double v = _points >= 2 ? PiecewiseLinear.Interpolate(_pin, _battery, _points, volts) : volts * Ratio;
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

        /// <summary>One point: ratio = reference / raw. More: the line through them (distinct raw values).</summary>
        public CalibrationResult Apply(CalibrationRecord record)
        {
            if (record == null || record.Kind != CalibrationKind.Linear)
            {
                return CalibrationResult.WrongKind;
            }

            int n = record.PointCount;
            if (!CalibrationKinds.PointCountFits(CalibrationKind.Linear, n))
            {
                return CalibrationResult.Degenerate;
            }

            if (n == 1)
            {
                if (!(record.Raw(0) > 0) || !(record.Reference(0) > 0))
                {
                    return CalibrationResult.Degenerate;
                }

                Ratio = record.Reference(0) / record.Raw(0);
                _points = 1;
                CalibrationId = record.Id;
                return CalibrationResult.Ok;
            }

            double[] pin = new double[CalibrationRecord.MaxPoints];
            double[] battery = new double[CalibrationRecord.MaxPoints];
            if (PiecewiseLinear.CopySorted(record, pin, battery) != n)
            {
                return CalibrationResult.Degenerate;
            }

            System.Array.Copy(pin, _pin, n);
            System.Array.Copy(battery, _battery, n);
            _points = n;
            CalibrationId = record.Id;
            return CalibrationResult.Ok;
        }
    }
}
