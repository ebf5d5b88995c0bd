namespace IoTMonitor.Firmware.Core.Sensors.Sds011
{
    /// <summary>
    /// Byte-at-a-time parser of the SDS011's 10-byte replies (Nova SDS011 laser dust sensor control
    /// protocol V1.3): head 0xAA, command 0xC0 (data) or 0xC5 (reply to a setting), 6 data bytes,
    /// checksum = low byte of the sum of bytes 2–7, tail 0xAB. Fixed buffer, no allocation.
    /// </summary>
    public sealed class Sds011FrameParser : IFrameParser
    {
        /// <summary>Bytes in a reply.</summary>
        public const int FrameLength = 10;

        /// <summary>Message header.</summary>
        public const byte Head = 0xAA;

        /// <summary>Message tail.</summary>
        public const byte Tail = 0xAB;

        /// <summary>Command id of a measurement frame.</summary>
        public const byte DataCommand = 0xC0;

        /// <summary>Command id of a reply to a query/set command.</summary>
        public const byte ReplyCommand = 0xC5;

        private readonly byte[] _frame = new byte[FrameLength];
        private readonly byte[] _last = new byte[FrameLength];
        private int _index;

        /// <summary>Frames completed with a good checksum and tail.</summary>
        public int FramesParsed { get; private set; }

        /// <summary>Frames that failed the checksum.</summary>
        public int ChecksumErrors { get; private set; }

        /// <summary>Command id (0xC0 or 0xC5) of the last complete frame.</summary>
        public byte Command
        {
            get { return _last[1]; }
        }

        /// <summary>True when the last complete frame is a measurement (0xC0), not a reply to a setting (0xC5).</summary>
        public bool IsData
        {
            get { return _last[1] == DataCommand; }
        }

        /// <summary>Always false: the sensor never refuses a request with a frame (a 0xC5 reply is skipped).</summary>
        public bool IsRefusal
        {
            get { return false; }
        }

        /// <summary>PM2.5 of the last data frame in 0.1 µg/m³ ((high·256 + low), protocol V1.3).</summary>
        public int Pm25Tenths
        {
            get { return _last[2] | (_last[3] << 8); }
        }

        /// <summary>PM10 of the last data frame in 0.1 µg/m³.</summary>
        public int Pm10Tenths
        {
            get { return _last[4] | (_last[5] << 8); }
        }

        /// <summary>Device id (ID1 low, ID2 high) of the last frame.</summary>
        public int DeviceId
        {
            get { return _last[6] | (_last[7] << 8); }
        }

        /// <summary>Data byte 1–6 of the last complete frame (a 0xC5 reply echoes the command's data).</summary>
        public byte Data(int number)
        {
            return number >= 1 && number <= 6 ? _last[number + 1] : (byte)0;
        }

        /// <summary>Drops any partial frame.</summary>
        public void Reset()
        {
            _index = 0;
        }

        /// <summary>Takes one received byte.</summary>
        public FrameStatus Feed(byte b)
        {
            FrameStatus status = Check(b);
            if (status == FrameStatus.Bad)
            {
                _index = 0;
                if (b == Head)
                {
                    _frame[0] = b;
                    _index = 1;
                }
            }

            return status;
        }

        private FrameStatus Check(byte b)
        {
            if (_index == 0 && b != Head)
            {
                return FrameStatus.Bad;
            }

            if (_index == 1 && b != DataCommand && b != ReplyCommand)
            {
                return FrameStatus.Bad;
            }

            if (_index == 8)
            {
                int sum = 0;
                for (int i = 2; i < 8; i++)
                {
                    sum += _frame[i];
                }

                if ((sum & 0xFF) != b)
                {
                    ChecksumErrors++;
                    return FrameStatus.Bad;
                }
            }

            if (_index == 9 && b != Tail)
            {
                return FrameStatus.Bad;
            }

            _frame[_index++] = b;
            if (_index < FrameLength)
            {
                return FrameStatus.Continue;
            }

            _index = 0;
            for (int i = 0; i < FrameLength; i++)
            {
                _last[i] = _frame[i];
            }

            FramesParsed++;
            return FrameStatus.Complete;
        }
    }
}
