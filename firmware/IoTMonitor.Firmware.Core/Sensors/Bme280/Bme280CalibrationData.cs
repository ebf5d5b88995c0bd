namespace IoTMonitor.Firmware.Core.Sensors.Bme280
{
    /// <summary>
    /// The trimming parameters dig_T1…dig_H6 (BST-BME280-DS002 §4.2.2, Table 16), read once per
    /// wake from 0x88–0xA1 and 0xE1–0xE7. Names follow the datasheet.
    /// </summary>
    public sealed class Bme280CalibrationData
    {
#pragma warning disable CS1591 // datasheet names; types per Table 16
        public int DigT1;
        public int DigT2;
        public int DigT3;
        public int DigP1;
        public int DigP2;
        public int DigP3;
        public int DigP4;
        public int DigP5;
        public int DigP6;
        public int DigP7;
        public int DigP8;
        public int DigP9;
        public int DigH1;
        public int DigH2;
        public int DigH3;
        public int DigH4;
        public int DigH5;
        public int DigH6;
#pragma warning restore CS1591

        /// <summary>
        /// Decodes the two calibration bursts. <paramref name="block1"/> holds 26 bytes from 0x88,
        /// <paramref name="block2"/> 7 bytes from 0xE1 (starting at the given offsets).
        /// </summary>
        public void Decode(byte[] block1, int offset1, byte[] block2, int offset2)
        {
            DigT1 = U16(block1, offset1 + 0);
            DigT2 = S16(block1, offset1 + 2);
            DigT3 = S16(block1, offset1 + 4);
            DigP1 = U16(block1, offset1 + 6);
            DigP2 = S16(block1, offset1 + 8);
            DigP3 = S16(block1, offset1 + 10);
            DigP4 = S16(block1, offset1 + 12);
            DigP5 = S16(block1, offset1 + 14);
            DigP6 = S16(block1, offset1 + 16);
            DigP7 = S16(block1, offset1 + 18);
            DigP8 = S16(block1, offset1 + 20);
            DigP9 = S16(block1, offset1 + 22);
            DigH1 = block1[offset1 + 25];
            DigH2 = S16(block2, offset2 + 0);
            DigH3 = block2[offset2 + 2];

            // dig_H4/H5 are 12-bit values sharing 0xE5. Bosch's driver takes the high part as
            // int8 so the sign carries; dotnet/iot does not (differs when 0xE4/0xE6 ≥ 0x80).
            // We follow Bosch (reference B1, "Pitfall").
            DigH4 = ((sbyte)block2[offset2 + 3] * 16) | (block2[offset2 + 4] & 0x0F);
            DigH5 = ((sbyte)block2[offset2 + 5] * 16) | (block2[offset2 + 4] >> 4);
            DigH6 = (sbyte)block2[offset2 + 6];
        }

        /// <summary>
        /// False when the coefficients cannot be real: dig_T1 or dig_P1 of zero is what an erased
        /// or unread NVM gives, and dig_P1 = 0 makes the pressure formula divide by zero.
        /// </summary>
        public bool IsPlausible
        {
            get { return DigT1 != 0 && DigP1 != 0; }
        }

        private static int U16(byte[] b, int i)
        {
            return b[i] | (b[i + 1] << 8);
        }

        private static int S16(byte[] b, int i)
        {
            return (short)(b[i] | (b[i + 1] << 8));
        }
    }
}
