namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// DFRobot SEN0189 turbidity: NTU = −1120.4·V² + 5742.3·V − 4352.9 with V the probe output at
    /// 5 V supply, valid 2.5–4.2 V; below 2.5 V the vendor reports 3000 NTU (reference B7). This
    /// is the **vendor's** curve: its validity at 3.3 V and its traceability are unconfirmed, so it
    /// is not calibratable here and readings below 2.5 V are flagged out of range.
    /// </summary>
    public sealed class TurbidityProbe : IAnalogProbe
    {
        /// <summary>Lower end of the curve's validity, volts at the probe.</summary>
        public const double MinCurveVolts = 2.5;

        /// <summary>Upper end of the curve's validity (clear water), volts at the probe.</summary>
        public const double MaxCurveVolts = 4.2;

        /// <summary>What the vendor reports below <see cref="MinCurveVolts"/>.</summary>
        public const double SaturatedNtu = 3000.0;

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

            double v = volts * DividerRatio;
            if (v < MinCurveVolts)
            {
                values[0] = SaturatedNtu;
                return ReadResult.OutOfRange;
            }

            values[0] = Curve(v);
            return ReadResult.Ok;
        }
    }
}
