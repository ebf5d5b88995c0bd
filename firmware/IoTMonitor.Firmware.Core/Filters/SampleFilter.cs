namespace IoTMonitor.Firmware.Core.Filters
{
    /// <summary>Reduces a buffer of samples to one value in place (sorts it). No allocation.</summary>
    public static class SampleFilter
    {
        /// <summary>Applies <paramref name="kind"/> to the first <paramref name="n"/> samples (n ≥ 1).</summary>
        public static double Reduce(FilterKind kind, double[] samples, int n)
        {
            if (kind == FilterKind.None || n == 1)
            {
                return samples[n - 1];
            }

            Sort(samples, n);
            if (kind == FilterKind.Median)
            {
                return (n & 1) == 1 ? samples[n / 2] : (samples[(n / 2) - 1] + samples[n / 2]) / 2;
            }

            int trim = n / 5;
            if (trim == 0 && n >= 3)
            {
                trim = 1;
            }

            double sum = 0;
            for (int i = trim; i < n - trim; i++)
            {
                sum += samples[i];
            }

            return sum / (n - (2 * trim));
        }

        // Insertion sort: n is at most 15, and it needs no comparer object (no allocation).
        private static void Sort(double[] a, int n)
        {
            for (int i = 1; i < n; i++)
            {
                double v = a[i];
                int j = i - 1;
                while (j >= 0 && a[j] > v)
                {
                    a[j + 1] = a[j];
                    j--;
                }

                a[j + 1] = v;
            }
        }
    }
}
