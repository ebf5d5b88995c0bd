using System;

namespace IoTMonitor.Firmware.Core.Storage
{
    /// <summary>
    /// Fixed little-endian field access in record buffers. BitConverter.GetBytes would allocate, and
    /// an explicit byte order keeps the flash format the same on every host.
    /// </summary>
    public static class LittleEndian
    {
        /// <summary>Writes a 32-bit value.</summary>
        public static void WriteInt32(byte[] b, int pos, int v)
        {
            b[pos] = (byte)v;
            b[pos + 1] = (byte)(v >> 8);
            b[pos + 2] = (byte)(v >> 16);
            b[pos + 3] = (byte)(v >> 24);
        }

        /// <summary>Reads a 32-bit value.</summary>
        public static int ReadInt32(byte[] b, int pos)
        {
            return b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24);
        }

        /// <summary>Writes a 64-bit value.</summary>
        public static void WriteInt64(byte[] b, int pos, long v)
        {
            WriteInt32(b, pos, (int)v);
            WriteInt32(b, pos + 4, (int)(v >> 32));
        }

        /// <summary>Reads a 64-bit value.</summary>
        public static long ReadInt64(byte[] b, int pos)
        {
            return (uint)ReadInt32(b, pos) | ((long)ReadInt32(b, pos + 4) << 32);
        }

        /// <summary>Writes a double by its IEEE-754 bits.</summary>
        public static void WriteDouble(byte[] b, int pos, double v)
        {
            WriteInt64(b, pos, BitConverter.DoubleToInt64Bits(v));
        }

        /// <summary>Reads a double by its IEEE-754 bits.</summary>
        public static double ReadDouble(byte[] b, int pos)
        {
            return BitConverter.Int64BitsToDouble(ReadInt64(b, pos));
        }
    }
}
