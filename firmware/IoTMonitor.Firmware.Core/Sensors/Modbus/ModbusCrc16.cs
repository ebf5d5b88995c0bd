namespace IoTMonitor.Firmware.Core.Sensors.Modbus
{
    /// <summary>
    /// CRC-16/MODBUS (Modbus over Serial Line V1.02, §2.5.1.2 and Appendix B, p.40): reflected
    /// polynomial 0xA001, init 0xFFFF, no final XOR. On the wire the low byte goes first.
    /// </summary>
    public static class ModbusCrc16
    {
        /// <summary>CRC of <paramref name="count"/> bytes from <paramref name="offset"/>.</summary>
        public static int Compute(byte[] data, int offset, int count)
        {
            int crc = 0xFFFF;
            for (int i = 0; i < count; i++)
            {
                crc ^= data[offset + i];
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1;
                }
            }

            return crc;
        }

        /// <summary>Appends the CRC of the first <paramref name="count"/> bytes after them (low byte first).</summary>
        public static void Append(byte[] frame, int offset, int count)
        {
            int crc = Compute(frame, offset, count);
            frame[offset + count] = (byte)crc;
            frame[offset + count + 1] = (byte)(crc >> 8);
        }

        /// <summary>True when the last two of <paramref name="count"/> bytes are the CRC of the others.</summary>
        public static bool Check(byte[] frame, int offset, int count)
        {
            if (count < 3)
            {
                return false;
            }

            int crc = Compute(frame, offset, count - 2);
            return frame[offset + count - 2] == (byte)crc && frame[offset + count - 1] == (byte)(crc >> 8);
        }
    }
}
