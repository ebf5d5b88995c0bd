using IoTMonitor.Firmware.Core.Numerics;

namespace IoTMonitor.Firmware.Core.Text
{
    /// <summary>
    /// Writes numbers as ASCII digits straight into a byte buffer, the way protocol v1 wants them
    /// (docs/protocol.md §4 "Numbers"): integers without a fraction; decimals rounded half away
    /// from zero to N places, trailing zeros removed, no exponent, never "-0". Allocation-free
    /// (double.ToString allocates and its format differs between .NET and nanoFramework).
    /// Every method returns the new position, or -1 when the number does not fit before
    /// <c>limit</c> (nothing is then guaranteed about the bytes after <c>pos</c>).
    /// </summary>
    public static class NumberFormatter
    {
        /// <summary>Most decimals <see cref="WriteFixed"/> accepts.</summary>
        public const int MaxDecimals = 9;

        private static readonly long[] Pow10 =
        {
            1L, 10L, 100L, 1000L, 10000L, 100000L, 1000000L, 10000000L, 100000000L, 1000000000L,
        };

        /// <summary>Writes a signed integer.</summary>
        public static int WriteInt64(long value, byte[] buffer, int pos, int limit)
        {
            if (value < 0)
            {
                if (pos >= limit)
                {
                    return -1;
                }

                buffer[pos++] = (byte)'-';
                if (value == long.MinValue)
                {
                    // −2^63 has no positive counterpart: write its digits literally.
                    return WriteAscii("9223372036854775808", buffer, pos, limit);
                }

                value = -value;
            }

            return WriteUnsigned((ulong)value, 1, buffer, pos, limit);
        }

        /// <summary>
        /// Writes <paramref name="value"/> rounded half away from zero to <paramref name="decimals"/>
        /// places (0…9) with trailing zeros trimmed. The caller guarantees a finite value; a
        /// non-finite one is written as <c>null</c>.
        /// </summary>
        public static int WriteFixed(double value, int decimals, byte[] buffer, int pos, int limit)
        {
            if (!FMath.IsFinite(value))
            {
                return WriteAscii("null", buffer, pos, limit);
            }

            if (decimals < 0)
            {
                decimals = 0;
            }
            else if (decimals > MaxDecimals)
            {
                decimals = MaxDecimals;
            }

            bool negative = value < 0;
            double a = negative ? -value : value;
            double scaled = a * Pow10[decimals];
            if (scaled >= 9.0e18)
            {
                // Beyond long range the fraction is below double precision anyway: integer digits only.
                return WriteHugeInteger(negative, FMath.Floor(a + 0.5), buffer, pos, limit);
            }

            long r = (long)scaled;
            if (scaled - r >= 0.5)
            {
                r++;
            }

            if (r == 0)
            {
                return WriteAscii("0", buffer, pos, limit);
            }

            if (negative)
            {
                if (pos >= limit)
                {
                    return -1;
                }

                buffer[pos++] = (byte)'-';
            }

            long p = Pow10[decimals];
            long intPart = r / p;
            long frac = r % p;
            pos = WriteUnsigned((ulong)intPart, 1, buffer, pos, limit);
            if (pos < 0 || frac == 0)
            {
                return pos;
            }

            int digits = decimals;
            while (frac % 10 == 0)
            {
                frac /= 10;
                digits--;
            }

            if (pos >= limit)
            {
                return -1;
            }

            buffer[pos++] = (byte)'.';
            return WriteUnsigned((ulong)frac, digits, buffer, pos, limit);
        }

        /// <summary>Writes an ASCII string verbatim (chars above 0x7F become '?').</summary>
        public static int WriteAscii(string s, byte[] buffer, int pos, int limit)
        {
            int n = s.Length;
            if (pos < 0 || limit - pos < n)
            {
                return -1;
            }

            for (int i = 0; i < n; i++)
            {
                char c = s[i];
                buffer[pos++] = c < 0x80 ? (byte)c : (byte)'?';
            }

            return pos;
        }

        /// <summary>Writes an unsigned value, left-padded with zeros to at least <paramref name="minDigits"/>.</summary>
        private static int WriteUnsigned(ulong v, int minDigits, byte[] buffer, int pos, int limit)
        {
            int digits = 1;
            ulong t = v;
            while (t >= 10)
            {
                t /= 10;
                digits++;
            }

            if (digits < minDigits)
            {
                digits = minDigits;
            }

            if (pos < 0 || limit - pos < digits)
            {
                return -1;
            }

            int end = pos + digits;
            for (int i = end - 1; i >= pos; i--)
            {
                buffer[i] = (byte)('0' + (int)(v % 10));
                v /= 10;
            }

            return end;
        }

        private static int WriteHugeInteger(bool negative, double a, byte[] buffer, int pos, int limit)
        {
            // a ≥ 9e14 here. Write its 17 significant digits (all a double holds) followed by
            // zeros; the text parses back to a within an ulp or two. Digit-by-digit division
            // would drift on the way down instead.
            int digits = 1;
            double p = 1;
            while (a / p >= 10)
            {
                p *= 10;
                digits++;
            }

            int zeros = digits > 17 ? digits - 17 : 0;
            double scale = 1;
            for (int i = 0; i < zeros; i++)
            {
                scale *= 10;
            }

            double m = a / scale;
            long lead = (long)m;
            if (m - lead >= 0.5)
            {
                lead++;
            }

            if (negative)
            {
                if (pos < 0 || pos >= limit)
                {
                    return -1;
                }

                buffer[pos++] = (byte)'-';
            }

            pos = WriteUnsigned((ulong)lead, 1, buffer, pos, limit);
            for (int i = 0; i < zeros && pos >= 0; i++)
            {
                if (pos >= limit)
                {
                    return -1;
                }

                buffer[pos++] = (byte)'0';
            }

            return pos;
        }
    }
}
