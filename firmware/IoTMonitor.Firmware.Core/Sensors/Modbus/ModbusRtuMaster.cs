namespace IoTMonitor.Firmware.Core.Sensors.Modbus
{
    /// <summary>
    /// A Modbus RTU master for one request at a time over a UART (RS485 transceiver direction is
    /// the host adapter's job). Non-blocking: <c>Begin…</c> sends a request, then <see cref="Poll"/>
    /// is called with the milliseconds elapsed since, until it returns something other than
    /// <see cref="ReadResult.NotReady"/>. Nothing sleeps; nothing allocates after construction.
    /// The exchange (discard, send, receive loop, CRC-error accounting, timeout) is
    /// <see cref="UartFrameReader"/>'s, caller-timed, as the PMS5003 and SDS011 drivers share it.
    /// </summary>
    public sealed class ModbusRtuMaster
    {
        /// <summary>Default reply timeout. The serial-line spec leaves the reply timeout to the application; this is our choice, set per probe.</summary>
        public const int DefaultTimeoutMs = 500;

        // The master's own budget per Poll, kept from before it used UartFrameReader (whose default is 256).
        private const int MaxBytesPerPoll = 512;

        private readonly UartFrameReader _link;
        private readonly ModbusResponseParser _parser = new ModbusResponseParser();
        private readonly byte[] _tx = new byte[ModbusFrames.RequestLength];

        /// <summary>Creates the master on <paramref name="uart"/>.</summary>
        public ModbusRtuMaster(IUart uart, int timeoutMs = DefaultTimeoutMs)
        {
            _link = new UartFrameReader(uart, MaxBytesPerPoll);
            TimeoutMs = timeoutMs;
        }

        /// <summary>Milliseconds after which an unanswered request gives <see cref="ReadResult.NoResponse"/>.</summary>
        public int TimeoutMs { get; set; }

        /// <summary>True while a request waits for its reply.</summary>
        public bool Pending
        {
            get { return _link.Awaiting; }
        }

        /// <summary>The reply parser: registers and exception code of the last reply.</summary>
        public ModbusResponseParser Response
        {
            get { return _parser; }
        }

        /// <summary>Sends a 03/04 request for <paramref name="quantity"/> registers (1–125).</summary>
        public ReadResult BeginRead(int slave, byte function, int startAddress, int quantity)
        {
            if ((function != ModbusFrames.ReadHoldingRegisters && function != ModbusFrames.ReadInputRegisters)
                || quantity < 1 || quantity > ModbusFrames.MaxRegisters || slave < 1 || slave > 247)
            {
                return ReadResult.Fault;
            }

            ModbusFrames.WriteReadRequest(_tx, slave, function, startAddress, quantity);
            return Send(slave, function, quantity);
        }

        /// <summary>Sends a 06 Write Single Register request.</summary>
        public ReadResult BeginWriteSingle(int slave, int address, int value)
        {
            if (slave < 1 || slave > 247)
            {
                return ReadResult.Fault;
            }

            ModbusFrames.WriteWriteSingleRequest(_tx, slave, address, value);
            return Send(slave, ModbusFrames.WriteSingleRegister, 1);
        }

        /// <summary>
        /// Parses what has arrived. <paramref name="elapsedMs"/> is the time since the request was
        /// sent, measured by the caller. Returns Ok (registers in <see cref="Response"/>),
        /// NotReady, NoResponse (timeout), BadCrc, or Fault for an exception response (code in
        /// <see cref="ModbusResponseParser.ExceptionCode"/>); NotInitialized with no request out.
        /// </summary>
        public ReadResult Poll(int elapsedMs)
        {
            if (!_link.Awaiting)
            {
                return ReadResult.NotInitialized;
            }

            return _link.Poll(_parser, elapsedMs, TimeoutMs);
        }

        /// <summary>Forgets the outstanding request.</summary>
        public void Cancel()
        {
            _link.Cancel();
        }

        private ReadResult Send(int slave, byte function, int quantity)
        {
            // The reader discards leftovers of an earlier exchange (late replies, line noise) so
            // they are not parsed as this reply.
            _parser.Expect(slave, function, quantity);
            _link.Request(_tx, ModbusFrames.RequestLength, _parser);
            return ReadResult.Ok;
        }
    }
}
