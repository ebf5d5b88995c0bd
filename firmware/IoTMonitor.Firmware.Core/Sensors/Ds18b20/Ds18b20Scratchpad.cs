namespace IoTMonitor.Firmware.Core.Sensors.Ds18b20
{
    /// <summary>
    /// Decoding of the DS18B20's 9-byte scratchpad (datasheet, "Memory" / Figure 7): 0 temperature
    /// LSB, 1 MSB, 2 TH, 3 TL, 4 configuration, 5–7 reserved, 8 CRC.
    /// </summary>
    public static class Ds18b20Scratchpad
    {
        /// <summary>Bytes in the scratchpad.</summary>
        public const int Length = 9;

        /// <summary>Temperature register at power-on (+85 °C): no conversion has run since reset.</summary>
        public const int PowerOnRaw = 0x0550;

        /// <summary>Lowest temperature the device measures, °C.</summary>
        public const double MinC = -55.0;

        /// <summary>Highest temperature the device measures, °C.</summary>
        public const double MaxC = 125.0;

        /// <summary>Configuration byte for a resolution of 9–12 bits (R1:R0 in bits 6:5, the rest fixed 1s/0).</summary>
        public static byte ConfigFor(int resolutionBits)
        {
            return (byte)(0x1F | ((Clamp(resolutionBits) - 9) << 5));
        }

        /// <summary>Resolution in bits (9–12) the configuration byte selects.</summary>
        public static int ResolutionOf(byte config)
        {
            return 9 + ((config >> 5) & 0x03);
        }

        /// <summary>
        /// Maximum conversion time at a resolution: 93.75, 187.5, 375, 750 ms (datasheet Table 2),
        /// rounded up.
        /// </summary>
        public static int ConversionMs(int resolutionBits)
        {
            switch (Clamp(resolutionBits))
            {
                case 9:
                    return 94;
                case 10:
                    return 188;
                case 11:
                    return 375;
                default:
                    return 750;
            }
        }

        /// <summary>
        /// Checks and decodes a scratchpad read from the bus: <see cref="ReadResult.NoResponse"/>
        /// for all 0xFF (no device pulled the line), <see cref="ReadResult.BadCrc"/>,
        /// <see cref="ReadResult.Fault"/> for an impossible configuration byte (line stuck low reads
        /// all zeros, whose CRC is 0 too) or the power-on +85 °C value,
        /// <see cref="ReadResult.OutOfRange"/> beyond −55…+125 °C.
        /// </summary>
        public static ReadResult Decode(byte[] scratchpad, int offset, out double temperatureC, out int resolutionBits)
        {
            temperatureC = 0;
            resolutionBits = 0;
            bool allOnes = true;
            for (int i = 0; i < Length; i++)
            {
                if (scratchpad[offset + i] != 0xFF)
                {
                    allOnes = false;
                    break;
                }
            }

            if (allOnes)
            {
                return ReadResult.NoResponse;
            }

            if (DallasCrc8.Compute(scratchpad, offset, Length) != 0)
            {
                return ReadResult.BadCrc;
            }

            byte config = scratchpad[offset + 4];
            if ((config & 0x9F) != 0x1F)
            {
                return ReadResult.Fault;
            }

            resolutionBits = ResolutionOf(config);
            int raw = (short)(scratchpad[offset] | (scratchpad[offset + 1] << 8));
            if (raw == PowerOnRaw)
            {
                return ReadResult.Fault;
            }

            // Below 12 bits the low bits are undefined (datasheet "Operation—Measuring
            // Temperature"): 9 bit masks ~7, 10 bit ~3, 11 bit ~1.
            raw &= ~((1 << (12 - resolutionBits)) - 1);
            temperatureC = raw / 16.0;
            return temperatureC < MinC || temperatureC > MaxC ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        private static int Clamp(int bits)
        {
            return bits < 9 ? 9 : bits > 12 ? 12 : bits;
        }
    }
}
