namespace IoTMonitor.Firmware.Core.Sensors.Modbus
{
    /// <summary>
    /// Modbus RTU request frames for the functions the probes need (Modbus Application Protocol
    /// V1.1b3 §6.3, §6.4, §6.6) and the line timing of the serial-line spec V1.02 §2.5.1.1.
    /// </summary>
    public static class ModbusFrames
    {
        /// <summary>Read Holding Registers.</summary>
        public const byte ReadHoldingRegisters = 0x03;

        /// <summary>Read Input Registers.</summary>
        public const byte ReadInputRegisters = 0x04;

        /// <summary>Write Single Register.</summary>
        public const byte WriteSingleRegister = 0x06;

        /// <summary>Bit set in the function code of an exception response.</summary>
        public const byte ExceptionFlag = 0x80;

        /// <summary>Most registers one 03/04 request may ask for (0x007D).</summary>
        public const int MaxRegisters = 125;

        /// <summary>Length of an 03/04/06 request: address, function, 4 data bytes, CRC.</summary>
        public const int RequestLength = 8;

        /// <summary>
        /// Writes a read request (function 03 or 04) for <paramref name="quantity"/> registers from
        /// <paramref name="startAddress"/>; returns 8.
        /// </summary>
        public static int WriteReadRequest(byte[] buffer, int slave, byte function, int startAddress, int quantity)
        {
            return WriteFourByteRequest(buffer, slave, function, startAddress, quantity);
        }

        /// <summary>Writes a Write Single Register request (function 06); returns 8.</summary>
        public static int WriteWriteSingleRequest(byte[] buffer, int slave, int address, int value)
        {
            return WriteFourByteRequest(buffer, slave, WriteSingleRegister, address, value);
        }

        /// <summary>
        /// Inter-frame silence t3.5 in µs: 3.5 characters of 11 bits below 19200 baud, a fixed
        /// 1750 µs above (serial-line spec V1.02 §2.5.1.1). 9600 baud → 4010 µs.
        /// </summary>
        public static int FrameSilenceMicros(int baud)
        {
            if (baud > 19200)
            {
                return 1750;
            }

            return (int)((3.5 * 11 * 1000000.0 / baud) + 0.5);
        }

        private static int WriteFourByteRequest(byte[] buffer, int slave, byte function, int word1, int word2)
        {
            buffer[0] = (byte)slave;
            buffer[1] = function;
            buffer[2] = (byte)(word1 >> 8);
            buffer[3] = (byte)word1;
            buffer[4] = (byte)(word2 >> 8);
            buffer[5] = (byte)word2;
            ModbusCrc16.Append(buffer, 0, 6);
            return RequestLength;
        }
    }
}
