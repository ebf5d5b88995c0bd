namespace IoTMonitor.Firmware.Core.Sensors.Pms5003
{
    /// <summary>
    /// The 7-byte host commands of the PMS5003 manual v2.3 ("Host Protocol"): 0x42 0x4D, command,
    /// data high, data low, 16-bit sum of the first five bytes (high byte first).
    /// </summary>
    public static class Pms5003Command
    {
        /// <summary>Bytes in a command.</summary>
        public const int Length = 7;

        /// <summary>CMD 0xE1: change mode (data 0 passive, 1 active).</summary>
        public const byte ChangeMode = 0xE1;

        /// <summary>CMD 0xE2: read in passive mode (data 0).</summary>
        public const byte PassiveRead = 0xE2;

        /// <summary>CMD 0xE4: sleep/wake (data 0 sleep, 1 wake).</summary>
        public const byte SleepWake = 0xE4;

        /// <summary>Writes the command into <paramref name="buffer"/> at <paramref name="offset"/>; returns 7.</summary>
        public static int Write(byte[] buffer, int offset, byte command, int data)
        {
            buffer[offset] = Pms5003FrameParser.Start1;
            buffer[offset + 1] = Pms5003FrameParser.Start2;
            buffer[offset + 2] = command;
            buffer[offset + 3] = (byte)(data >> 8);
            buffer[offset + 4] = (byte)data;
            int sum = 0;
            for (int i = 0; i < 5; i++)
            {
                sum += buffer[offset + i];
            }

            buffer[offset + 5] = (byte)(sum >> 8);
            buffer[offset + 6] = (byte)sum;
            return Length;
        }
    }
}
