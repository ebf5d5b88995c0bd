using System;

namespace IoTMonitor.Firmware.Core.Numerics
{
    /// <summary>
    /// The few math functions the core needs, because nanoFramework's mscorlib has no System.Math
    /// (it lives in a package this project cannot use) and the ESP32 image computes Math in float
    /// precision anyway. Full double precision here; tested against System.Math on .NET.
    /// </summary>
    public static class FMath
    {
        /// <summary>ln 2, for range reduction.</summary>
        public const double Ln2 = 0.69314718055994530942;

        /// <summary>ln 10, for Log10.</summary>
        public const double Ln10 = 2.30258509299404568402;

        private const double TwoPow52 = 4503599627370496.0;

        /// <summary>Absolute value.</summary>
        public static double Abs(double x)
        {
            return x < 0 ? -x : x;
        }

        /// <summary>True when <paramref name="x"/> is neither NaN nor infinite.</summary>
        public static bool IsFinite(double x)
        {
            return !double.IsNaN(x) && !double.IsInfinity(x);
        }

        /// <summary>Largest integer ≤ x. Values of 2^52 and more are integers already.</summary>
        public static double Floor(double x)
        {
            if (!IsFinite(x) || Abs(x) >= TwoPow52)
            {
                return x;
            }

            double t = (long)x;
            return t > x ? t - 1 : t;
        }

        /// <summary>Square root (NaN below 0), by Newton's method from an exponent-halved seed.</summary>
        public static double Sqrt(double x)
        {
            if (double.IsNaN(x) || x < 0)
            {
                return double.NaN;
            }

            if (x == 0 || double.IsPositiveInfinity(x))
            {
                return x;
            }

            // Seed: halve the binary exponent. Newton then doubles the correct digits per step.
            long bits = BitConverter.DoubleToInt64Bits(x);
            double y = BitConverter.Int64BitsToDouble((bits >> 1) + (1023L << 51));
            for (int i = 0; i < 6; i++)
            {
                y = 0.5 * (y + (x / y));
            }

            return y;
        }

        /// <summary>Natural logarithm (NaN below 0, −∞ at 0).</summary>
        public static double Ln(double x)
        {
            if (double.IsNaN(x) || x < 0)
            {
                return double.NaN;
            }

            if (x == 0)
            {
                return double.NegativeInfinity;
            }

            if (double.IsPositiveInfinity(x))
            {
                return x;
            }

            int e = 0;
            // Subnormals: scale into the normal range first.
            if (x < 2.2250738585072014e-308)
            {
                x *= TwoPow52;
                e -= 52;
            }

            long bits = BitConverter.DoubleToInt64Bits(x);
            e += (int)((bits >> 52) & 0x7FF) - 1023;
            double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | (1023L << 52));
            if (m > 1.4142135623730951)
            {
                m *= 0.5;
                e++;
            }

            // ln m = 2 atanh(z), z = (m-1)/(m+1), |z| < 0.172: the odd series converges fast.
            double z = (m - 1) / (m + 1);
            double z2 = z * z;
            double term = z;
            double sum = 0;
            for (int k = 1; k < 60; k += 2)
            {
                double add = term / k;
                sum += add;
                if (Abs(add) < 1e-18 * Abs(sum))
                {
                    break;
                }

                term *= z2;
            }

            return (2 * sum) + (e * Ln2);
        }

        /// <summary>Base-10 logarithm.</summary>
        public static double Log10(double x)
        {
            return Ln(x) / Ln10;
        }

        /// <summary>e^x.</summary>
        public static double Exp(double x)
        {
            if (double.IsNaN(x))
            {
                return x;
            }

            if (x > 709.782712893384)
            {
                return double.PositiveInfinity;
            }

            if (x < -745.2)
            {
                return 0;
            }

            // x = k ln2 + r, |r| ≤ ln2/2; e^r by Taylor series, then scale by 2^k.
            double kf = Floor((x / Ln2) + 0.5);
            int k = (int)kf;
            // Cody–Waite: ln2 split in a high part with trailing zero bits and a low part, so
            // k·ln2 is subtracted without losing the digits that matter for large |x|.
            double r = (x - (kf * 6.93147180369123816490e-01)) - (kf * 1.90821492927058770002e-10);
            double term = 1;
            double sum = 1;
            for (int n = 1; n < 30; n++)
            {
                term *= r / n;
                sum += term;
                if (Abs(term) < 1e-18)
                {
                    break;
                }
            }

            return ScaleByPowerOfTwo(sum, k);
        }

        /// <summary>x^y for the cases calibration needs: x &gt; 0 any y, x = 0, x &lt; 0 with integer y.</summary>
        public static double Pow(double x, double y)
        {
            if (y == 0)
            {
                return 1;
            }

            if (double.IsNaN(x) || double.IsNaN(y))
            {
                return double.NaN;
            }

            if (x == 0)
            {
                return y > 0 ? 0 : double.PositiveInfinity;
            }

            if (x < 0)
            {
                if (Floor(y) != y)
                {
                    return double.NaN;
                }

                double p = Exp(y * Ln(-x));
                bool odd = Abs(y) < TwoPow52 && ((long)y & 1) == 1;
                return odd ? -p : p;
            }

            if (Floor(y) == y && Abs(y) <= 64)
            {
                // Exact-ish for small integer exponents (polynomial calibrations).
                return IntPow(x, (int)y);
            }

            return Exp(y * Ln(x));
        }

        private static double IntPow(double x, int n)
        {
            bool negative = n < 0;
            if (negative)
            {
                n = -n;
            }

            double result = 1;
            double b = x;
            while (n > 0)
            {
                if ((n & 1) == 1)
                {
                    result *= b;
                }

                b *= b;
                n >>= 1;
            }

            return negative ? 1 / result : result;
        }

        private static double ScaleByPowerOfTwo(double v, int k)
        {
            // Apply in steps so 2^k itself never over/underflows.
            while (k > 1000)
            {
                v *= BitConverter.Int64BitsToDouble((long)(1000 + 1023) << 52);
                k -= 1000;
            }

            while (k < -1000)
            {
                v *= BitConverter.Int64BitsToDouble((long)(-1000 + 1023) << 52);
                k += 1000;
            }

            return v * BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
        }
    }
}
