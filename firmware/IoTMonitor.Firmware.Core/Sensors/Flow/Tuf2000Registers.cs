using System;

namespace IoTMonitor.Firmware.Core.Sensors.Flow
{
    /// <summary>
    /// Register map of the TUF-2000 family of transit-time ultrasonic flow meters (TUF-2000M/B/H,
    /// TDS-100 and the many OEM boards sharing their "Modbus register table"): function 03, slave 1,
    /// 9600 8N1 by default (menus M90/M91). The manual numbers registers from 1 (REG 0001); the wire
    /// address is that number − 1. LONG and REAL4 values take two registers, the low word first.
    /// Source: TUF-2000M user manual, "MODBUS register table" (docs/references.md "Flow measurement").
    /// </summary>
    public static class Tuf2000Registers
    {
        /// <summary>Factory slave address (M90).</summary>
        public const int DefaultSlave = 1;

        /// <summary>Factory baud rate (M91).</summary>
        public const int DefaultBaud = 9600;

        /// <summary>REG 0001–0002, REAL4: instantaneous flow in the flow unit of M30/M31 (factory m³/h).</summary>
        public const int FlowRate = 0;

        /// <summary>REG 0009–0010, LONG: positive (forward) accumulator, integer part, in the totaliser unit (M32) × multiplier (M33).</summary>
        public const int PositiveAccumulator = 8;

        /// <summary>REG 0011–0012, REAL4: positive accumulator's decimal fraction, same unit.</summary>
        public const int PositiveFraction = 10;

        /// <summary>REG 0072, 16 bits: error code bits (0 = working normally); e.g. bit 0 no received signal, bit 3 pipe empty, bit 4 hardware failure.</summary>
        public const int ErrorCode = 71;

        /// <summary>Registers of the one read: REG 0001 through REG 0072.</summary>
        public const int Span = ErrorCode + 1;

        /// <summary>A REAL4 (IEEE 754 single) from its two registers, low word first; NaN for an infinity or NaN pattern.</summary>
        public static double Real4(int lowWord, int highWord)
        {
            long bits = ((long)(highWord & 0xFFFF) << 16) | (long)(lowWord & 0xFFFF);
            bool negative = (bits & 0x80000000L) != 0;
            int exponent = (int)((bits >> 23) & 0xFF);
            long mantissa = bits & 0x7FFFFF;
            if (exponent == 0xFF)
            {
                return double.NaN;
            }

            double magnitude;
            if (exponent == 0)
            {
                // subnormal: mantissa × 2^-149, built exactly as a double (2^-149 is a normal double)
                magnitude = mantissa * BitConverter.Int64BitsToDouble((long)(1023 - 149) << 52);
            }
            else
            {
                // a normal single widens exactly: same mantissa bits shifted to the double's 52, exponent rebiased 127 → 1023
                magnitude = BitConverter.Int64BitsToDouble(((long)(exponent - 127 + 1023) << 52) | (mantissa << 29));
            }

            return negative ? -magnitude : magnitude;
        }

        /// <summary>A LONG (two's complement 32 bits) from its two registers, low word first.</summary>
        public static long Long(int lowWord, int highWord)
        {
            long v = ((long)(highWord & 0xFFFF) << 16) | (long)(lowWord & 0xFFFF);
            return v >= 0x80000000L ? v - 0x100000000L : v;
        }
    }
}
