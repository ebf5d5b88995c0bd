namespace IoTMonitor.Firmware.Core.Sensors.Sensirion
{
    /// <summary>
    /// Sensirion's CRC-8 over each 2-byte word on the I2C interface (SCD30 and SCD4x datasheets,
    /// "Checksum Calculation"): polynomial 0x31 (x⁸+x⁵+x⁴+1), init 0xFF, MSB first, no reflection,
    /// no final XOR. 0xBEEF → 0x92. Shared by the SCD30 and SCD4x drivers (ESPHome's
    /// sensirion_common, dotnet/iot's Shared/Sensirion.cs).
    /// </summary>
    public static class SensirionCrc8
    {
        /// <summary>Generator polynomial without the x⁸ term.</summary>
        public const byte Polynomial = 0x31;

        /// <summary>Initial register value.</summary>
        public const byte Init = 0xFF;

        /// <summary>CRC of <paramref name="count"/> bytes from <paramref name="offset"/>.</summary>
        public static byte Compute(byte[] data, int offset, int count)
        {
            int crc = Init;
            for (int i = 0; i < count; i++)
            {
                crc ^= data[offset + i];
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 0x80) != 0 ? ((crc << 1) ^ Polynomial) & 0xFF : (crc << 1) & 0xFF;
                }
            }

            return (byte)crc;
        }

        /// <summary>Writes <paramref name="word"/> big-endian plus its CRC at <paramref name="offset"/> (3 bytes).</summary>
        public static void WriteWord(byte[] buffer, int offset, int word)
        {
            buffer[offset] = (byte)(word >> 8);
            buffer[offset + 1] = (byte)word;
            buffer[offset + 2] = Compute(buffer, offset, 2);
        }

        /// <summary>
        /// Reads the big-endian word at <paramref name="offset"/> and checks the CRC byte after it;
        /// false (and 0) on a mismatch.
        /// </summary>
        public static bool TryReadWord(byte[] buffer, int offset, out int word)
        {
            if (Compute(buffer, offset, 2) != buffer[offset + 2])
            {
                word = 0;
                return false;
            }

            word = (buffer[offset] << 8) | buffer[offset + 1];
            return true;
        }

        /// <summary>
        /// Builds an IEEE-754 single from its two big-endian words (SCD30 measurement layout) and
        /// widens it exactly to double, without BitConverter so byte order never matters.
        /// </summary>
        public static double FloatFromWords(int high, int low)
        {
            long bits = ((long)(high & 0xFFFF) << 16) | (long)(low & 0xFFFF);
            bool negative = (bits & 0x80000000L) != 0;
            int exponent = (int)((bits >> 23) & 0xFF);
            long mantissa = bits & 0x7FFFFF;
            double value;
            if (exponent == 0xFF)
            {
                value = mantissa == 0 ? double.PositiveInfinity : double.NaN;
            }
            else if (exponent == 0)
            {
                // Subnormal: mantissa · 2^−149.
                value = mantissa * 1.4012984643248171e-45;
            }
            else
            {
                // Re-bias the exponent (127 → 1023) and left-align the 23-bit mantissa in 52 bits.
                value = System.BitConverter.Int64BitsToDouble(((long)(exponent - 127 + 1023) << 52) | (mantissa << 29));
            }

            return negative ? -value : value;
        }
    }
}
