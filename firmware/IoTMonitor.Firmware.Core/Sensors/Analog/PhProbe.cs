using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// pH from a glass electrode's amplified voltage. Calibration is piecewise linear through 2 or
    /// 3 buffer points (each buffer is reproduced exactly, pH 7 included; a least-squares line
    /// would not). Temperature compensation follows the Nernst slope, which is proportional to the
    /// absolute temperature (S(T) = 59.16·(T + 273.15)/298.15 mV/pH, reference B7): the distance
    /// from the isopotential point, taken as pH 7 for an ideal electrode, scales by
    /// (T_cal + 273.15)/(T + 273.15).
    /// </summary>
    /// <remarks>
    /// Until calibrated it uses the DFRobot SEN0161-V2 library defaults: 1500 mV at pH 7,
    /// 2032.44 mV at pH 4 (the board's gain of about 3 gives 177.5 mV/pH). That library does not
    /// temperature-compensate; this class does.
    /// </remarks>
    public sealed class PhProbe : IAnalogProbe, ICalibratable, ITemperatureCompensated
    {
        /// <summary>Nernst slope at 25 °C, mV/pH.</summary>
        public const double NernstMvPerPhAt25C = 59.16;

        /// <summary>0 °C in kelvin.</summary>
        public const double ZeroCelsiusK = 273.15;

        /// <summary>pH of the isopotential point assumed for temperature compensation.</summary>
        public const double IsopotentialPh = 7.0;

        /// <summary>DFRobot SEN0161-V2 default: volts at pH 7.</summary>
        public const double DefaultVoltsPh7 = 1.5;

        /// <summary>DFRobot SEN0161-V2 default: volts at pH 4.</summary>
        public const double DefaultVoltsPh4 = 2.03244;

        private readonly double[] _v = new double[3];
        private readonly double[] _ph = new double[3];
        private int _n;
        private double _calibrationTempC = 25.0;

        /// <summary>Creates the probe on the DFRobot defaults.</summary>
        public PhProbe()
        {
            SetPoints(DefaultVoltsPh7, IsopotentialPh, DefaultVoltsPh4, 4.0);
            TemperatureC = 25.0;
            Rails = new RailCheck(0.05, double.NaN);
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 1; }
        }

        /// <summary>Solution temperature for compensation, °C (from the water temperature probe; 25 when unknown).</summary>
        public double TemperatureC { get; set; }

        /// <summary>Open/short detection on the pin voltage.</summary>
        public RailCheck Rails { get; private set; }

        /// <inheritdoc />
        public string CalibrationId { get; private set; }

        /// <inheritdoc />
        public CalibrationKind CalibrationKind
        {
            get { return CalibrationKind.Ph; }
        }

        /// <summary>Nernst slope at <paramref name="temperatureC"/>, mV/pH.</summary>
        public static double NernstSlopeMvPerPh(double temperatureC)
        {
            return NernstMvPerPhAt25C * (temperatureC + ZeroCelsiusK) / (25.0 + ZeroCelsiusK);
        }

        /// <inheritdoc />
        public ReadResult Convert(double volts, double[] values)
        {
            ReadResult rail = Rails.Check(volts);
            if (rail != ReadResult.Ok)
            {
                return rail;
            }

            double atCalibration = Line(volts);
            double ph = IsopotentialPh + ((atCalibration - IsopotentialPh)
                * (_calibrationTempC + ZeroCelsiusK) / (TemperatureC + ZeroCelsiusK));
            values[0] = ph;
            return ph < 0 || ph > 14 ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        /// <summary>Two-point procedure: pH 7.00 then pH 4.00, with the DFRobot board's acceptance windows.</summary>
        public CalibrationProcedure CreateProcedure()
        {
            return new CalibrationProcedure(CalibrationKind.Ph, new CalibrationStep[]
            {
                new CalibrationStep("Rinse the probe, put it in pH 7.00 buffer, wait for a stable reading", 7.0, "pH", 1.322, 1.678),
                new CalibrationStep("Rinse the probe, put it in pH 4.00 buffer, wait for a stable reading", 4.0, "pH", 1.854, 2.210),
            }, 0);
        }

        /// <summary>Three-point procedure: pH 4.00, 7.00, 10.00 (no window for pH 10: the reference gives none).</summary>
        public CalibrationProcedure CreateThreePointProcedure()
        {
            return new CalibrationProcedure(CalibrationKind.Ph, new CalibrationStep[]
            {
                new CalibrationStep("Rinse the probe, put it in pH 7.00 buffer, wait for a stable reading", 7.0, "pH", 1.322, 1.678),
                new CalibrationStep("Rinse the probe, put it in pH 4.00 buffer, wait for a stable reading", 4.0, "pH", 1.854, 2.210),
                new CalibrationStep("Rinse the probe, put it in pH 10.00 buffer, wait for a stable reading", 10.0, "pH", double.NaN, double.NaN),
            }, 0);
        }

        /// <summary>Takes 2 or 3 (volts, pH) points that are monotonic (pH moves one way as volts rise).</summary>
        public CalibrationResult Apply(CalibrationRecord record)
        {
            if (record == null || record.Kind != CalibrationKind.Ph)
            {
                return CalibrationResult.WrongKind;
            }

            int n = record.PointCount;
            if (n < 2 || n > 3)
            {
                return CalibrationResult.Degenerate;
            }

            double[] v = new double[3];
            double[] ph = new double[3];
            for (int i = 0; i < n; i++)
            {
                v[i] = record.Raw(i);
                ph[i] = record.Reference(i);
            }

            SortByVolts(v, ph, n);
            double firstSign = 0;
            for (int i = 0; i + 1 < n; i++)
            {
                double dv = v[i + 1] - v[i];
                double dph = ph[i + 1] - ph[i];
                if (dv == 0 || dph == 0)
                {
                    return CalibrationResult.Degenerate;
                }

                double sign = dph / dv > 0 ? 1 : -1;
                if (firstSign != 0 && sign != firstSign)
                {
                    return CalibrationResult.Degenerate;
                }

                firstSign = sign;
            }

            for (int i = 0; i < n; i++)
            {
                _v[i] = v[i];
                _ph[i] = ph[i];
            }

            _n = n;
            _calibrationTempC = record.TemperatureC;
            CalibrationId = record.Id;
            return CalibrationResult.Ok;
        }

        private double Line(double volts)
        {
            // Segment 0–1 up to the middle point, 1–2 above it; the end segments extrapolate.
            int i = _n == 3 && volts > _v[1] ? 1 : 0;
            return _ph[i] + ((volts - _v[i]) * (_ph[i + 1] - _ph[i]) / (_v[i + 1] - _v[i]));
        }

        private void SetPoints(double v0, double ph0, double v1, double ph1)
        {
            _v[0] = v0;
            _ph[0] = ph0;
            _v[1] = v1;
            _ph[1] = ph1;
            _n = 2;
            SortByVolts(_v, _ph, 2);
        }

        private static void SortByVolts(double[] v, double[] ph, int n)
        {
            for (int i = 1; i < n; i++)
            {
                for (int j = i; j > 0 && v[j] < v[j - 1]; j--)
                {
                    double t = v[j];
                    v[j] = v[j - 1];
                    v[j - 1] = t;
                    t = ph[j];
                    ph[j] = ph[j - 1];
                    ph[j - 1] = t;
                }
            }
        }
    }
}
