namespace IoTMonitor.Firmware.Core.Sensors.Ds18b20
{
    /// <summary>
    /// The Dallas/Maxim 1-Wire CRC-8 (DS18B20 datasheet, "CRC Generation"; Maxim AN27):
    /// x⁸+x⁵+x⁴+1 shifted LSB first (reflected polynomial 0x8C), init 0, no final XOR. Over data
    /// plus its CRC byte the result is 0.
    /// </summary>
    public static class DallasCrc8
    {
        /// <summary>CRC of <paramref name="count"/> bytes from <paramref name="offset"/>.</summary>
        public static byte Compute(byte[] data, int offset, int count)
        {
            int crc = 0;
            for (int i = 0; i < count; i++)
            {
                int b = data[offset + i];
                for (int bit = 0; bit < 8; bit++)
                {
                    int mix = (crc ^ b) & 0x01;
                    crc >>= 1;
                    if (mix != 0)
                    {
                        crc ^= 0x8C;
                    }

                    b >>= 1;
                }
            }

            return (byte)crc;
        }
    }
}
