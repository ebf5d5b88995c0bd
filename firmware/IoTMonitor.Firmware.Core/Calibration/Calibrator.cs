using IoTMonitor.Firmware.Core.Numerics;

namespace IoTMonitor.Firmware.Core.Calibration
{
    /// <summary>Applies a <see cref="CalibrationConfig"/> to a raw value. Pure functions, no allocation.</summary>
    public static class Calibrator
    {
        /// <summary>Reference temperature of pH and EC compensation, °C.</summary>
        public const double ReferenceTempC = 25.0;

        private const double KelvinOffset = 273.15;

        /// <summary>
        /// Calibrated value of <paramref name="raw"/>. <paramref name="tempC"/> is the medium's
        /// temperature for pH/EC compensation (NaN: no compensation). Returns NaN when the
        /// calibration has no points.
        /// </summary>
        public static double Apply(CalibrationConfig c, double raw, double tempC)
        {
            double lin = Interpolate(c.Raw, c.Reference, raw);
            bool haveTemp = FMath.IsFinite(tempC);
            switch (c.Kind)
            {
                case CalibrationKind.Ph:
                    // Nernst: the electrode slope is proportional to absolute temperature, so the
                    // deviation from pH 7 measured with the 25 °C slope scales by T25/T.
                    return haveTemp ? 7.0 + ((lin - 7.0) * (ReferenceTempC + KelvinOffset) / (tempC + KelvinOffset)) : lin;
                case CalibrationKind.Ec:
                    double k = c.TempCoeff > 0 ? c.TempCoeff : 0.02;
                    return haveTemp ? lin / (1.0 + (k * (tempC - ReferenceTempC))) : lin;
                case CalibrationKind.Moisture:
                    return lin < 0 ? 0 : (lin > 100 ? 100 : lin);
                default:
                    return lin;
            }
        }

        /// <summary>Piecewise-linear interpolation, extrapolating from the end segments; one point is an offset.</summary>
        public static double Interpolate(double[] xs, double[] ys, double x)
        {
            int n = xs.Length < ys.Length ? xs.Length : ys.Length;
            if (n == 0)
            {
                return double.NaN;
            }

            if (n == 1)
            {
                return x + (ys[0] - xs[0]);
            }

            int i = 1;
            while (i < n - 1 && x > xs[i])
            {
                i++;
            }

            double x0 = xs[i - 1];
            double x1 = xs[i];
            double y0 = ys[i - 1];
            double y1 = ys[i];
            return y0 + ((x - x0) * (y1 - y0) / (x1 - x0));
        }
    }
}
