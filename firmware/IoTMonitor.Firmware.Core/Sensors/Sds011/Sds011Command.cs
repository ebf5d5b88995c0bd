namespace IoTMonitor.Firmware.Core.Sensors.Sds011
{
    /// <summary>
    /// The 19-byte host commands of the SDS011 control protocol V1.3: 0xAA 0xB4, data bytes 1–13,
    /// device id (0xFF 0xFF = every sensor), checksum = low byte of the sum of bytes 2–16, 0xAB.
    /// </summary>
    public static class Sds011Command
    {
        /// <summary>Bytes in a command.</summary>
        public const int Length = 19;

        /// <summary>Data byte 1 = 2: data reporting mode (data 2: 1 set; data 3: 0 active, 1 query).</summary>
        public const byte ReportMode = 0x02;

        /// <summary>Data byte 1 = 4: query data (reply is a 0xC0 data frame).</summary>
        public const byte QueryData = 0x04;

        /// <summary>Data byte 1 = 6: sleep and work (data 2: 1 set; data 3: 0 sleep, 1 work).</summary>
        public const byte SleepWork = 0x06;

        /// <summary>Data byte 1 = 8: working period (data 3: 0 continuous, n = 1–30 minutes); kept in flash.</summary>
        public const byte WorkingPeriod = 0x08;

        /// <summary>Device id addressing every sensor on the line.</summary>
        public const int AllDevices = 0xFFFF;

        /// <summary>
        /// Writes a command with data bytes 1–3 (the rest zero) for <paramref name="deviceId"/>
        /// into <paramref name="buffer"/> at <paramref name="offset"/>; returns 19.
        /// </summary>
        public static int Write(byte[] buffer, int offset, byte data1, byte data2, byte data3, int deviceId)
        {
            buffer[offset] = Sds011FrameParser.Head;
            buffer[offset + 1] = 0xB4;
            buffer[offset + 2] = data1;
            buffer[offset + 3] = data2;
            buffer[offset + 4] = data3;
            for (int i = 5; i < 15; i++)
            {
                buffer[offset + i] = 0;
            }

            buffer[offset + 15] = (byte)deviceId;
            buffer[offset + 16] = (byte)(deviceId >> 8);
            int sum = 0;
            for (int i = 2; i <= 16; i++)
            {
                sum += buffer[offset + i];
            }

            buffer[offset + 17] = (byte)sum;
            buffer[offset + 18] = Sds011FrameParser.Tail;
            return Length;
        }
    }
}
