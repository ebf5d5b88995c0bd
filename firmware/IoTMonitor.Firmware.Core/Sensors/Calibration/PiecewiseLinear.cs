namespace IoTMonitor.Firmware.Core.Sensors.Calibration
{
    /// <summary>
    /// Piecewise-linear curve through a record's points, for the probes whose calibration has no
    /// physical model beyond "straight between standards" (turbidity, battery divider).
    /// </summary>
    public static class PiecewiseLinear
    {
        /// <summary>
        /// Copies the points of <paramref name="record"/> into <paramref name="xs"/>/<paramref name="ys"/>
        /// sorted by raw value and returns how many; -1 when two raw values are equal (no line
        /// through them) or the arrays are too short.
        /// </summary>
        public static int CopySorted(CalibrationRecord record, double[] xs, double[] ys)
        {
            int n = record.PointCount;
            if (n > xs.Length || n > ys.Length)
            {
                return -1;
            }

            for (int i = 0; i < n; i++)
            {
                double x = record.Raw(i);
                double y = record.Reference(i);
                int j = i - 1;
                while (j >= 0 && xs[j] > x)
                {
                    xs[j + 1] = xs[j];
                    ys[j + 1] = ys[j];
                    j--;
                }

                xs[j + 1] = x;
                ys[j + 1] = y;
            }

            for (int i = 1; i < n; i++)
            {
                if (xs[i] == xs[i - 1])
                {
                    return -1;
                }
            }

            return n;
        }

        /// <summary>
        /// Value at <paramref name="x"/> on the line through the first <paramref name="n"/> ≥ 2
        /// points (sorted by x); beyond the ends the end segments extrapolate.
        /// </summary>
        public static double Interpolate(double[] xs, double[] ys, int n, double x)
        {
            int i = 1;
            while (i < n - 1 && x > xs[i])
            {
                i++;
            }

            double x0 = xs[i - 1];
            double y0 = ys[i - 1];
            return y0 + ((x - x0) * (ys[i] - y0) / (xs[i] - x0));
        }
    }
}
