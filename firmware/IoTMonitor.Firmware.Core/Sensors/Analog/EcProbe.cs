using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>Voltage-to-conductivity curve of the supported EC boards (reference B7).</summary>
    public enum EcCurve
    {
        /// <summary>DFRobot DFR0300 (K = 1): EC [mS/cm] = 1000·V[mV]/820/200 × K; K accepted 0.5–1.5.</summary>
        Dfr0300 = 0,

        /// <summary>DFRobot SEN0244 Gravity TDS: EC [µS/cm] = (133.42·V³ − 255.86·V² + 857.39·V)·K; K accepted 0.25–4.0.</summary>
        GravityTds = 1,
    }

    /// <summary>
    /// Conductivity compensated to 25 °C and TDS: channels raw[0] EC25 µS/cm, raw[1] TDS mg/L.
    /// EC25 = EC / (1 + α·(T − 25)) with α = 0.02/°C by default (GravityTDS; the DFR0300 library
    /// uses 0.0185 — set <see cref="TempCoeff"/>); TDS = <see cref="TdsFactor"/>·EC25, 0.5 by default
    /// (GravityTDS). Calibration is one standard solution, giving the cell factor K, or two (e.g.
    /// 1413 µS/cm and 12.88 mS/cm, DFRobot's K_low/K_high), giving K per range: the lower K up to the
    /// lower standard, the higher K from the upper one, linear in between (stateless, where the
    /// DFRobot library switches with hysteresis).
    /// </summary>
    public sealed class EcProbe : IAnalogProbe, ICalibratable, ITemperatureCompensated
    {
        /// <summary>Standard solution of the procedure: 1413 µS/cm (707 ppm TDS at factor 0.5).</summary>
        public const double StandardUsPerCm = 1413.0;

        /// <summary>Default temperature coefficient, per °C.</summary>
        public const double DefaultTempCoeff = 0.02;

        /// <summary>Default TDS factor.</summary>
        public const double DefaultTdsFactor = 0.5;

        // Raw (K = 1) conductivity of the lower and upper standard; equal with one point.
        private double _rawLow;
        private double _rawHigh;

        /// <summary>Creates the probe for a board's curve, K = 1.</summary>
        public EcProbe(EcCurve curve)
        {
            Curve = curve;
            K = 1.0;
            KHigh = 1.0;
            TempCoeff = DefaultTempCoeff;
            TdsFactor = DefaultTdsFactor;
            TemperatureC = 25.0;
            Rails = new RailCheck(double.NaN, double.NaN);
        }

        /// <summary>The board's curve.</summary>
        public EcCurve Curve { get; private set; }

        /// <summary>Cell factor from calibration (of the lower standard when there are two).</summary>
        public double K { get; private set; }

        /// <summary>Cell factor of the upper standard (equal to <see cref="K"/> with one point).</summary>
        public double KHigh { get; private set; }

        /// <summary>Temperature coefficient α per °C.</summary>
        public double TempCoeff { get; set; }

        /// <summary>TDS factor (mg/L per µS/cm).</summary>
        public double TdsFactor { get; set; }

        /// <summary>Solution temperature, °C.</summary>
        public double TemperatureC { get; set; }

        /// <summary>Open/short detection (none by default: 0 V is pure water).</summary>
        public RailCheck Rails { get; private set; }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 2; }
        }

        /// <inheritdoc />
        public string CalibrationId { get; private set; }

        /// <inheritdoc />
        public CalibrationKind CalibrationKind
        {
            get { return CalibrationKind.Ec; }
        }

        /// <summary>Uncompensated conductivity at K = 1, µS/cm, from the pin voltage.</summary>
        public static double RawUsPerCm(EcCurve curve, double volts)
        {
            if (curve == EcCurve.Dfr0300)
            {
                // 1000·V[mV]/820/200 gives mS/cm; ×1000 for µS/cm.
                return 1000.0 * (volts * 1000.0) / 820.0 / 200.0 * 1000.0;
            }

            return ((133.42 * volts * volts * volts) - (255.86 * volts * volts) + (857.39 * volts));
        }

        /// <inheritdoc />
        public ReadResult Convert(double volts, double[] values)
        {
            ReadResult rail = Rails.Check(volts);
            if (rail != ReadResult.Ok)
            {
                return rail;
            }

            double rawEc = RawUsPerCm(Curve, volts);
            double ec25 = rawEc * CellFactor(rawEc) / (1.0 + (TempCoeff * (TemperatureC - 25.0)));
            values[0] = ec25;
            values[1] = ec25 * TdsFactor;
            return ec25 < 0 || ec25 > 200000 ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        /// <summary>One step: the 1413 µS/cm standard at a measured temperature.</summary>
        public CalibrationProcedure CreateProcedure()
        {
            return new CalibrationProcedure(CalibrationKind.Ec, new CalibrationStep[]
            {
                new CalibrationStep("Rinse the probe, put it in 1413 µS/cm standard, note its temperature, wait for a stable reading", StandardUsPerCm, "µS/cm", double.NaN, double.NaN),
            }, TempCoeff);
        }

        /// <summary>
        /// K = reference·(1 + α·(T_cal − 25)) / raw EC for each of 1 or 2 points (the reference is the
        /// standard's 25 °C value, T_cal its temperature during calibration); refused outside the
        /// board's K limits.
        /// </summary>
        public CalibrationResult Apply(CalibrationRecord record)
        {
            if (record == null || record.Kind != CalibrationKind.Ec)
            {
                return CalibrationResult.WrongKind;
            }

            int n = record.PointCount;
            if (!CalibrationKinds.PointCountFits(CalibrationKind.Ec, n))
            {
                return CalibrationResult.Degenerate;
            }

            double alpha = record.TempCoeff > 0 ? record.TempCoeff : TempCoeff;
            double raw0 = RawUsPerCm(Curve, record.Raw(0));
            double raw1 = RawUsPerCm(Curve, record.Raw(n - 1));
            if (!(raw0 > 0) || !(raw1 > 0) || (n == 2 && raw0 == raw1))
            {
                return CalibrationResult.Degenerate;
            }

            double atCal = 1.0 + (alpha * (record.TemperatureC - 25.0));
            double k0 = record.Reference(0) * atCal / raw0;
            double k1 = record.Reference(n - 1) * atCal / raw1;
            if (!WithinLimits(k0) || !WithinLimits(k1))
            {
                return CalibrationResult.OutOfLimits;
            }

            bool swap = raw1 < raw0;
            K = swap ? k1 : k0;
            KHigh = swap ? k0 : k1;
            _rawLow = swap ? raw1 : raw0;
            _rawHigh = swap ? raw0 : raw1;
            TempCoeff = alpha;
            CalibrationId = record.Id;
            return CalibrationResult.Ok;
        }

        private bool WithinLimits(double k)
        {
            double min = Curve == EcCurve.Dfr0300 ? 0.5 : 0.25;
            double max = Curve == EcCurve.Dfr0300 ? 1.5 : 4.0;
            return k >= min && k <= max;
        }

        private double CellFactor(double rawEc)
        {
            if (rawEc <= _rawLow || _rawHigh <= _rawLow)
            {
                return K;
            }

            if (rawEc >= _rawHigh)
            {
                return KHigh;
            }

            return K + ((rawEc - _rawLow) * (KHigh - K) / (_rawHigh - _rawLow));
        }
    }
}
