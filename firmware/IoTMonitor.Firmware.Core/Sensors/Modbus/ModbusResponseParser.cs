namespace IoTMonitor.Firmware.Core.Sensors.Modbus
{
    /// <summary>
    /// Byte-at-a-time parser of the reply to one outstanding request. It knows what it waits for
    /// (slave, function, register count), so the length is fixed and a stray byte is rejected at
    /// once: normal 03/04 reply = slave, function, byte count 2N, N big-endian registers, CRC;
    /// 06 reply = echo of the request; exception = slave, function|0x80, code, CRC (Modbus
    /// Application Protocol V1.1b3 §6.3, §6.4, §6.6, §7). An exception is a complete, valid frame
    /// that is not data: <see cref="IsRefusal"/>, so <see cref="UartFrameReader"/> ends the exchange
    /// with <see cref="ReadResult.Fault"/>.
    /// </summary>
    public sealed class ModbusResponseParser : IFrameParser
    {
        private const int MaxFrame = 5 + (2 * ModbusFrames.MaxRegisters);

        private readonly byte[] _frame = new byte[MaxFrame];
        private readonly int[] _registers = new int[ModbusFrames.MaxRegisters];
        private int _slave = -1;
        private byte _function;
        private int _quantity;
        private int _index;
        private int _length;

        /// <summary>Frames that reached full length but failed the CRC.</summary>
        public int CrcErrors { get; private set; }

        /// <summary>Same as <see cref="CrcErrors"/> (the <see cref="IFrameParser"/> name).</summary>
        public int ChecksumErrors
        {
            get { return CrcErrors; }
        }

        /// <summary>True when the last complete frame was a normal reply (registers, or the 06 echo).</summary>
        public bool IsData
        {
            get { return !IsException; }
        }

        /// <summary>True when the last complete frame was an exception response (same as <see cref="IsException"/>).</summary>
        public bool IsRefusal
        {
            get { return IsException; }
        }

        /// <summary>True when the last complete frame was an exception response.</summary>
        public bool IsException { get; private set; }

        /// <summary>Exception code (01 illegal function … 04 slave device failure) of the last exception.</summary>
        public int ExceptionCode { get; private set; }

        /// <summary>Registers in the last complete normal reply (1 for a 06 echo: the value written).</summary>
        public int RegisterCount { get; private set; }

        /// <summary>Register <paramref name="index"/> (0-based) of the last complete reply, 0–65535.</summary>
        public int Register(int index)
        {
            return index >= 0 && index < RegisterCount ? _registers[index] : 0;
        }

        /// <summary>
        /// Arms the parser for the reply to a request: 03/04 with <paramref name="quantity"/>
        /// registers, or 06 (quantity ignored). An unsupported function or quantity leaves it
        /// rejecting every byte.
        /// </summary>
        public void Expect(int slave, byte function, int quantity)
        {
            _slave = slave;
            _function = function;
            _quantity = quantity;
            _index = 0;
            bool read = function == ModbusFrames.ReadHoldingRegisters || function == ModbusFrames.ReadInputRegisters;
            if (read && (quantity < 1 || quantity > ModbusFrames.MaxRegisters))
            {
                _slave = -1;
            }
            else if (!read && function != ModbusFrames.WriteSingleRegister)
            {
                _slave = -1;
            }
        }

        /// <summary>Drops the partial frame, keeping the expectation.</summary>
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
                if (_slave >= 0 && b == _slave)
                {
                    _frame[0] = b;
                    _index = 1;
                }
            }

            return status;
        }

        private FrameStatus Check(byte b)
        {
            if (_slave < 0)
            {
                return FrameStatus.Bad;
            }

            switch (_index)
            {
                case 0:
                    if (b != _slave)
                    {
                        return FrameStatus.Bad;
                    }

                    // The real length is known at the function byte; until then, the shortest frame.
                    _length = 5;
                    break;
                case 1:
                    if (b == _function)
                    {
                        _length = _function == ModbusFrames.WriteSingleRegister ? 8 : 5 + (2 * _quantity);
                    }
                    else if (b == (_function | ModbusFrames.ExceptionFlag))
                    {
                        _length = 5;
                    }
                    else
                    {
                        return FrameStatus.Bad;
                    }

                    break;
                case 2:
                    if (_frame[1] == _function && _function != ModbusFrames.WriteSingleRegister && b != 2 * _quantity)
                    {
                        return FrameStatus.Bad;
                    }

                    break;
            }

            _frame[_index++] = b;
            if (_index < _length)
            {
                return FrameStatus.Continue;
            }

            _index = 0;
            if (!ModbusCrc16.Check(_frame, 0, _length))
            {
                CrcErrors++;
                return FrameStatus.Bad;
            }

            if ((_frame[1] & ModbusFrames.ExceptionFlag) != 0)
            {
                IsException = true;
                ExceptionCode = _frame[2];
                RegisterCount = 0;
                return FrameStatus.Complete;
            }

            IsException = false;
            ExceptionCode = 0;
            if (_function == ModbusFrames.WriteSingleRegister)
            {
                RegisterCount = 1;
                _registers[0] = (_frame[4] << 8) | _frame[5];
            }
            else
            {
                RegisterCount = _quantity;
                for (int i = 0; i < _quantity; i++)
                {
                    _registers[i] = (_frame[3 + (2 * i)] << 8) | _frame[4 + (2 * i)];
                }
            }

            return FrameStatus.Complete;
        }
    }
}
