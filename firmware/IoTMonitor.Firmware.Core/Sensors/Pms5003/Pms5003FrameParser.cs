namespace IoTMonitor.Firmware.Core.Sensors.Pms5003
{
    /// <summary>
    /// Byte-at-a-time parser of the PMS5003 32-byte data frame (Plantower PMS5003 manual v2.3,
    /// "Transport Protocol-Active Mode"): 0x42 0x4D, frame length 0x001C, 13 big-endian data words,
    /// checksum = 16-bit sum of bytes 0–29. Fixed buffer, no allocation, every byte answered in O(1).
    /// </summary>
    public sealed class Pms5003FrameParser : IFrameParser
    {
        /// <summary>Bytes in a data frame.</summary>
        public const int FrameLength = 32;

        /// <summary>First start byte ('B').</summary>
        public const byte Start1 = 0x42;

        /// <summary>Second start byte ('M').</summary>
        public const byte Start2 = 0x4D;

        // Frame length field: 2 × 13 data words + 2 checksum bytes (manual v2.3).
        private const int LengthField = 0x001C;

        private readonly byte[] _frame = new byte[FrameLength];
        private readonly int[] _data = new int[13];
        private int _index;

        /// <summary>Frames completed with a good checksum since construction.</summary>
        public int FramesParsed { get; private set; }

        /// <summary>Frames that reached full length but failed the checksum.</summary>
        public int ChecksumErrors { get; private set; }

        /// <summary>Always true: the only frame that completes is the data frame (acks fail the length field).</summary>
        public bool IsData
        {
            get { return true; }
        }

        /// <summary>Always false: the sensor never refuses a request with a frame.</summary>
        public bool IsRefusal
        {
            get { return false; }
        }

        /// <summary>PM1.0 "CF=1, standard particle" µg/m³ (data 1) of the last complete frame.</summary>
        public int Pm1Standard
        {
            get { return _data[0]; }
        }

        /// <summary>PM2.5 "CF=1, standard particle" µg/m³ (data 2).</summary>
        public int Pm25Standard
        {
            get { return _data[1]; }
        }

        /// <summary>PM10 "CF=1, standard particle" µg/m³ (data 3).</summary>
        public int Pm10Standard
        {
            get { return _data[2]; }
        }

        /// <summary>PM1.0 "under atmospheric environment" µg/m³ (data 4).</summary>
        public int Pm1Atmospheric
        {
            get { return _data[3]; }
        }

        /// <summary>PM2.5 "under atmospheric environment" µg/m³ (data 5).</summary>
        public int Pm25Atmospheric
        {
            get { return _data[4]; }
        }

        /// <summary>PM10 "under atmospheric environment" µg/m³ (data 6).</summary>
        public int Pm10Atmospheric
        {
            get { return _data[5]; }
        }

        /// <summary>
        /// Data word 1–13 of the last complete frame (7–12: particles beyond 0.3/0.5/1.0/2.5/5/10 µm
        /// per 0.1 L; 13 reserved).
        /// </summary>
        public int Data(int number)
        {
            return number >= 1 && number <= 13 ? _data[number - 1] : 0;
        }

        /// <summary>Drops any partial frame (before a new request).</summary>
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
                // Resynchronise: the rejected byte may itself start the next frame.
                _index = 0;
                if (b == Start1)
                {
                    _frame[0] = b;
                    _index = 1;
                }
            }

            return status;
        }

        private FrameStatus Check(byte b)
        {
            switch (_index)
            {
                case 0:
                    if (b != Start1)
                    {
                        return FrameStatus.Bad;
                    }

                    break;
                case 1:
                    if (b != Start2)
                    {
                        return FrameStatus.Bad;
                    }

                    break;
                case 2:
                    if (b != (LengthField >> 8))
                    {
                        return FrameStatus.Bad;
                    }

                    break;
                case 3:
                    // Also rejects the 8-byte command acknowledgement (length 0x0004).
                    if (b != (LengthField & 0xFF))
                    {
                        return FrameStatus.Bad;
                    }

                    break;
            }

            _frame[_index++] = b;
            if (_index < FrameLength)
            {
                return FrameStatus.Continue;
            }

            _index = 0;
            int sum = 0;
            for (int i = 0; i < FrameLength - 2; i++)
            {
                sum += _frame[i];
            }

            if (sum != ((_frame[FrameLength - 2] << 8) | _frame[FrameLength - 1]))
            {
                ChecksumErrors++;
                return FrameStatus.Bad;
            }

            for (int i = 0; i < 13; i++)
            {
                _data[i] = (_frame[4 + (2 * i)] << 8) | _frame[5 + (2 * i)];
            }

            FramesParsed++;
            return FrameStatus.Complete;
        }
    }
}
