using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>A byte-at-a-time parser of a UART sensor's frames, as <see cref="UartFrameReader"/> drives it.</summary>
    public interface IFrameParser
    {
        /// <summary>Takes one received byte.</summary>
        FrameStatus Feed(byte b);

        /// <summary>Drops any partial frame (before a new request).</summary>
        void Reset();

        /// <summary>Frames that failed their checksum since construction.</summary>
        int ChecksumErrors { get; }

        /// <summary>True when the last complete frame carries measurements, not an acknowledgement.</summary>
        bool IsData { get; }

        /// <summary>
        /// True when the last complete frame is the device's refusal of the request (a Modbus
        /// exception response): a valid frame without data that ends the exchange with
        /// <see cref="ReadResult.Fault"/>. A frame that is neither data nor a refusal (a PMS5003 or
        /// SDS011 acknowledgement) is skipped.
        /// </summary>
        bool IsRefusal { get; }
    }

    /// <summary>
    /// The request → reply exchange of the polled UART sensors (PMS5003 passive read, SDS011 query,
    /// Modbus RTU master): discard stale input, send the request, then feed whatever has arrived to
    /// the frame parser across the driver's non-blocking <c>Read</c> calls until a data frame
    /// completes, the device refuses the request, a checksum fails or the reply times out. The
    /// timeout is measured by the reader's clock (<see cref="Poll(IFrameParser)"/>) or by the caller
    /// (<see cref="Poll(IFrameParser, int, int)"/>, the Modbus master's elapsed-time model). Composed into
    /// the drivers (the dust sensors through <see cref="PolledUartSensor"/>) rather than a base class:
    /// the Modbus master runs its own exchange model, and there is no virtual call per byte.
    /// One receive buffer allocated once: nothing per read.
    /// </summary>
    public sealed class UartFrameReader
    {
        /// <summary>Most bytes one <see cref="Poll(IFrameParser)"/> takes from the UART, so a babbling line cannot keep a Read busy.</summary>
        public const int MaxBytesPerPoll = 256;

        private readonly IUart _uart;
        private readonly IClock _clock;
        private readonly int _replyTimeoutMs;
        private readonly int _maxBytesPerPoll;
        private readonly byte[] _rx = new byte[64];
        private bool _awaiting;
        private long _sentMs;

        /// <summary>A reader on <paramref name="uart"/> giving up on a reply after <paramref name="replyTimeoutMs"/>.</summary>
        public UartFrameReader(IUart uart, IClock clock, int replyTimeoutMs)
        {
            _uart = uart;
            _clock = clock;
            _replyTimeoutMs = replyTimeoutMs;
            _maxBytesPerPoll = MaxBytesPerPoll;
        }

        /// <summary>
        /// A caller-timed reader on <paramref name="uart"/> taking at most
        /// <paramref name="maxBytesPerPoll"/> bytes per poll: it has no clock, so the caller passes
        /// the elapsed time to <see cref="Poll(IFrameParser, int, int)"/>
        /// (<see cref="Poll(IFrameParser)"/> never times out on it).
        /// </summary>
        public UartFrameReader(IUart uart, int maxBytesPerPoll)
        {
            _uart = uart;
            _maxBytesPerPoll = maxBytesPerPoll;
        }

        /// <summary>True between <see cref="Request"/> and the end of its exchange.</summary>
        public bool Awaiting
        {
            get { return _awaiting; }
        }

        /// <summary>Sends a command that gets no awaited reply (mode, sleep, wake).</summary>
        public void Send(byte[] frame, int count)
        {
            _uart.Write(frame, 0, count);
        }

        /// <summary>Starts an exchange: stale input dropped, parser reset, <paramref name="frame"/> sent, timer started.</summary>
        public void Request(byte[] frame, int count, IFrameParser parser)
        {
            // Old bytes (command acknowledgements, active-mode frames) must not be taken for the reply.
            _uart.DiscardInput();
            parser.Reset();
            _uart.Write(frame, 0, count);
            _sentMs = _clock != null ? _clock.Millis : 0;
            _awaiting = true;
        }

        /// <summary>Abandons the exchange (power-up, sleep); a late reply is discarded by the next request.</summary>
        public void Cancel()
        {
            _awaiting = false;
        }

        /// <summary>
        /// Feeds the bytes that have arrived: Ok when a data frame completed (its values are on the
        /// parser), Fault when the device refused the request (<see cref="IFrameParser.IsRefusal"/>),
        /// BadCrc when a frame failed its checksum and none completed, NoResponse once more than the
        /// reply timeout has passed since <see cref="Request"/> on the reader's clock, NotReady
        /// otherwise (and when no exchange is open). Ok, Fault, BadCrc and NoResponse end the exchange.
        /// </summary>
        public ReadResult Poll(IFrameParser parser)
        {
            if (!_awaiting)
            {
                return ReadResult.NotReady;
            }

            ReadResult r = Receive(parser);
            if (r != ReadResult.NotReady || _clock == null)
            {
                return r;
            }

            return Expire(_clock.Millis - _sentMs, _replyTimeoutMs);
        }

        /// <summary>
        /// As <see cref="Poll(IFrameParser)"/>, with the time since the request measured by the
        /// caller: NoResponse when <paramref name="elapsedMs"/> exceeds <paramref name="timeoutMs"/>
        /// and nothing ended the exchange.
        /// </summary>
        public ReadResult Poll(IFrameParser parser, int elapsedMs, int timeoutMs)
        {
            if (!_awaiting)
            {
                return ReadResult.NotReady;
            }

            ReadResult r = Receive(parser);
            if (r != ReadResult.NotReady)
            {
                return r;
            }

            return Expire(elapsedMs, timeoutMs);
        }

        // The one receive loop: at most _maxBytesPerPoll bytes, fed byte by byte; Ok, Fault or
        // BadCrc end the exchange, NotReady leaves the timeout to the caller.
        private ReadResult Receive(IFrameParser parser)
        {
            int checksumErrors = parser.ChecksumErrors;
            int consumed = 0;
            while (consumed < _maxBytesPerPoll)
            {
                int n = _uart.Read(_rx, 0, _rx.Length);
                if (n <= 0)
                {
                    break;
                }

                consumed += n;
                for (int i = 0; i < n; i++)
                {
                    if (parser.Feed(_rx[i]) == FrameStatus.Complete)
                    {
                        if (parser.IsData)
                        {
                            _awaiting = false;
                            return ReadResult.Ok;
                        }

                        if (parser.IsRefusal)
                        {
                            _awaiting = false;
                            return ReadResult.Fault;
                        }
                    }
                }
            }

            if (parser.ChecksumErrors != checksumErrors)
            {
                _awaiting = false;
                return ReadResult.BadCrc;
            }

            return ReadResult.NotReady;
        }

        private ReadResult Expire(long elapsedMs, int timeoutMs)
        {
            if (elapsedMs > timeoutMs)
            {
                _awaiting = false;
                return ReadResult.NoResponse;
            }

            return ReadResult.NotReady;
        }
    }
}
