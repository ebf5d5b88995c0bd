namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// The PSM timers as AT+CPSMS takes them and +CEREG reports them (3GPP TS 27.007 §7.38 and
    /// §10.1.22): one octet written as 8 characters '0'/'1', bits 8–6 the unit, bits 5–1 the value.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Periodic TAU (T3412 extended) is a GPRS Timer 3, 3GPP TS 24.008 §10.5.7.4a, Table 10.5.163a:
    /// unit 000 = 10 min, 001 = 1 h, 010 = 10 h, 011 = 2 s, 100 = 30 s, 101 = 1 min, 110 = 320 h,
    /// 111 = deactivated.</item>
    /// <item>Active time (T3324) is a GPRS Timer 2, 3GPP TS 24.008 §10.5.7.4, Table 10.5.163: unit
    /// 000 = 2 s, 001 = 1 min, 010 = 6 min (decihours), 111 = deactivated; other units are read as 1 min.</item>
    /// </list>
    /// </remarks>
    public static class PsmTimer
    {
        /// <summary>Decoded value of a deactivated timer (unit 111) or a missing/malformed field.</summary>
        public const int Deactivated = -1;

        private static readonly int[] TauUnitSec = new int[] { 600, 3600, 36000, 2, 30, 60, 1152000 };
        private static readonly int[] ActiveUnitSec = new int[] { 2, 60, 360 };

        /// <summary>A GPRS Timer 3 (periodic TAU) in seconds, <see cref="Deactivated"/> when off or unreadable.</summary>
        public static int DecodeTau(string bits)
        {
            int octet = Octet(bits);
            if (octet < 0 || (octet >> 5) == 7)
            {
                return Deactivated;
            }

            return TauUnitSec[octet >> 5] * (octet & 31);
        }

        /// <summary>A GPRS Timer 2 (active time) in seconds, <see cref="Deactivated"/> when off or unreadable.</summary>
        public static int DecodeActive(string bits)
        {
            int octet = Octet(bits);
            if (octet < 0 || (octet >> 5) == 7)
            {
                return Deactivated;
            }

            int unit = octet >> 5;
            return (unit < ActiveUnitSec.Length ? ActiveUnitSec[unit] : 60) * (octet & 31);
        }

        /// <summary>The GPRS Timer 3 octet for the shortest TAU of at least <paramref name="seconds"/> (the longest one, 31 × 320 h, when none reaches it).</summary>
        public static string EncodeTau(int seconds)
        {
            return Encode(seconds, TauUnitSec);
        }

        /// <summary>The GPRS Timer 2 octet for the shortest active time of at least <paramref name="seconds"/>.</summary>
        public static string EncodeActive(int seconds)
        {
            return Encode(seconds, ActiveUnitSec);
        }

        private static string Encode(int seconds, int[] units)
        {
            int bestUnit = -1;
            int bestValue = 0;
            long best = long.MaxValue;
            long longest = 0;
            int longestUnit = 0;
            for (int u = 0; u < units.Length; u++)
            {
                long top = (long)units[u] * 31;
                if (top > longest)
                {
                    longest = top;
                    longestUnit = u;
                }

                long value = ((long)seconds + units[u] - 1) / units[u]; // long: a request near int.MaxValue must not wrap
                if (value < 1)
                {
                    value = 1;
                }

                if (value <= 31 && units[u] * value < best)
                {
                    best = units[u] * value;
                    bestUnit = u;
                    bestValue = (int)value;
                }
            }

            if (bestUnit < 0)
            {
                bestUnit = longestUnit;
                bestValue = 31;
            }

            int octet = (bestUnit << 5) | bestValue;
            char[] text = new char[8];
            for (int i = 0; i < 8; i++)
            {
                text[i] = (octet & (128 >> i)) != 0 ? '1' : '0';
            }

            return new string(text);
        }

        private static int Octet(string bits)
        {
            if (bits == null || bits.Length != 8)
            {
                return -1;
            }

            int octet = 0;
            for (int i = 0; i < 8; i++)
            {
                char c = bits[i];
                if (c != '0' && c != '1')
                {
                    return -1;
                }

                octet = (octet << 1) | (c - '0');
            }

            return octet;
        }
    }
}
