using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// DFRobot SEN0189 turbidity: NTU = −1120.4·V² + 5742.3·V − 4352.9 with V the probe output at
    /// 5 V supply, valid 2.5–4.2 V; below 2.5 V the vendor reports 3000 NTU (reference B7). That is
    /// the **vendor's** curve: its validity at 3.3 V and its traceability are unconfirmed, so it
    /// only stands in until the probe is calibrated (UNCALIBRATED meanwhile). Calibration (kind
    /// linear) replaces it by the piecewise-linear line through 2 or more standards, (pin volts, NTU),
    /// clamped at 0 NTU; the rails still detect an open or shorted cable.
    /// </summary>
    public sealed class TurbidityProbe : IAnalogProbe, ICalibratable
    {
        /// <summary>Lower end of the curve's validity, volts at the probe.</summary>
        public const double MinCurveVolts = 2.5;

        /// <summary>Upper end of the curve's validity (clear water), volts at the probe.</summary>
        public const double MaxCurveVolts = 4.2;

        /// <summary>What the vendor reports below <see cref="MinCurveVolts"/>.</summary>
        public const double SaturatedNtu = 3000.0;

        private readonly double[] _volts = new double[CalibrationRecord.MaxPoints];
        private readonly double[] _ntu = new double[CalibrationRecord.MaxPoints];
        private int _points;

        /// <summary>
        /// Creates the probe; <paramref name="dividerRatio"/> is probe volts per pin volt (the 4.2 V
        /// output needs a divider before an ESP32 pin).
        /// </summary>
        public TurbidityProbe(double dividerRatio)
        {
            DividerRatio = dividerRatio;
            Rails = new RailCheck(0.05, double.NaN);
        }

        /// <summary>Probe volts per pin volt.</summary>
        public double DividerRatio { get; private set; }

        /// <summary>Open/short detection on the pin voltage.</summary>
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

        /// <summary>The vendor polynomial at probe voltage <paramref name="v"/>, clamped at 0 NTU.</summary>
        public static double Curve(double v)
        {
            double ntu = (-1120.4 * v * v) + (5742.3 * v) - 4352.9;
            return ntu < 0 ? 0 : ntu;
        }

        /// <inheritdoc />
        public ReadResult Convert(double volts, double[] values)
        {
            ReadResult rail = Rails.Check(volts);
            if (rail != ReadResult.Ok)
            {
                return rail;
            }

            if (_points >= 2)
            {
                double calibrated = PiecewiseLinear.Interpolate(_volts, _ntu, _points, volts);
                values[0] = calibrated < 0 ? 0 : calibrated;
                return ReadResult.Ok;
            }

            double v = volts * DividerRatio;
            if (v < MinCurveVolts)
            {
                values[0] = SaturatedNtu;
                return ReadResult.OutOfRange;
            }

            values[0] = Curve(v);
            return ReadResult.Ok;
        }

        /// <summary>
        /// Distilled water (0 NTU), then two standards. The 0 NTU window is the clean-window check
        /// of hardware/common/calibration.md §3: below 4.0 V at the probe the window is dirty.
        /// </summary>
        public CalibrationProcedure CreateProcedure()
        {
            double cleanPinVolts = DividerRatio > 0 ? 4.0 / DividerRatio : double.NaN;
            return new CalibrationProcedure(CalibrationKind.Linear, new CalibrationStep[]
            {
                new CalibrationStep("In the dark, immerse the tip in distilled water, no bubbles, wait for a stable reading", 0.0, "NTU", cleanPinVolts, double.NaN),
                new CalibrationStep("Rinse, immerse the tip in the 100 NTU standard, wait for a stable reading", 100.0, "NTU", 0.05, double.NaN),
                new CalibrationStep("Rinse, immerse the tip in the 1000 NTU standard, wait for a stable reading", 1000.0, "NTU", 0.05, double.NaN),
            }, 0);
        }

        /// <summary>Takes 2 or more (pin volts, NTU) points with distinct volts and NTU falling as volts rise.</summary>
        public CalibrationResult Apply(CalibrationRecord record)
        {
            if (record == null || record.Kind != CalibrationKind.Linear)
            {
                return CalibrationResult.WrongKind;
            }

            if (record.PointCount < 2 || !CalibrationKinds.PointCountFits(CalibrationKind.Linear, record.PointCount))
            {
                return CalibrationResult.Degenerate;
            }

            double[] v = new double[CalibrationRecord.MaxPoints];
            double[] ntu = new double[CalibrationRecord.MaxPoints];
            int n = PiecewiseLinear.CopySorted(record, v, ntu);
            if (n < 2)
            {
                return CalibrationResult.Degenerate;
            }

            // An optical sensor darkens as turbidity rises: a point that breaks that order is a
            // swapped bottle or a fouled window, not a curve.
            for (int i = 1; i < n; i++)
            {
                if (!(ntu[i] < ntu[i - 1]))
                {
                    return CalibrationResult.Degenerate;
                }
            }

            System.Array.Copy(v, _volts, n);
            System.Array.Copy(ntu, _ntu, n);
            _points = n;
            CalibrationId = record.Id;
            return CalibrationResult.Ok;
        }
    }
}
