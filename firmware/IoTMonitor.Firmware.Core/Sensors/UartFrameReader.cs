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
    }

    /// <summary>
    /// The request → reply exchange of the polled UART dust sensors (PMS5003 passive read, SDS011
    /// query): discard stale input, send the request, then feed whatever has arrived to the frame
    /// parser across the driver's non-blocking <c>Read</c> calls until a data frame completes, a
    /// checksum fails or the reply times out. Composed into each driver rather than a base class:
    /// the drivers keep their own commands and conversions, and there is no virtual call per byte.
    /// One receive buffer allocated once: nothing per read.
    /// </summary>
    public sealed class UartFrameReader
    {
        /// <summary>Most bytes one <see cref="Poll"/> takes from the UART, so a babbling line cannot keep a Read busy.</summary>
        public const int MaxBytesPerPoll = 256;

        private readonly IUart _uart;
        private readonly IMillisecondClock _clock;
        private readonly int _replyTimeoutMs;
        private readonly byte[] _rx = new byte[64];
        private bool _awaiting;
        private long _sentMs;

        /// <summary>A reader on <paramref name="uart"/> giving up on a reply after <paramref name="replyTimeoutMs"/>.</summary>
        public UartFrameReader(IUart uart, IMillisecondClock clock, int replyTimeoutMs)
        {
            _uart = uart;
            _clock = clock;
            _replyTimeoutMs = replyTimeoutMs;
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
            _sentMs = _clock.NowMs;
            _awaiting = true;
        }

        /// <summary>Abandons the exchange (power-up, sleep); a late reply is discarded by the next request.</summary>
        public void Cancel()
        {
            _awaiting = false;
        }

        /// <summary>
        /// Feeds the bytes that have arrived: Ok when a data frame completed (its values are on the
        /// parser), BadCrc when a frame failed its checksum and none completed, NoResponse after the
        /// timeout, NotReady otherwise (and when no exchange is open). Ok, BadCrc and NoResponse end
        /// the exchange.
        /// </summary>
        public ReadResult Poll(IFrameParser parser)
        {
            if (!_awaiting)
            {
                return ReadResult.NotReady;
            }

            int checksumErrors = parser.ChecksumErrors;
            int consumed = 0;
            while (consumed < MaxBytesPerPoll)
            {
                int n = _uart.Read(_rx, 0, _rx.Length);
                if (n <= 0)
                {
                    break;
                }

                consumed += n;
                for (int i = 0; i < n; i++)
                {
                    if (parser.Feed(_rx[i]) == FrameStatus.Complete && parser.IsData)
                    {
                        _awaiting = false;
                        return ReadResult.Ok;
                    }
                }
            }

            if (parser.ChecksumErrors != checksumErrors)
            {
                _awaiting = false;
                return ReadResult.BadCrc;
            }

            if (_clock.NowMs - _sentMs > _replyTimeoutMs)
            {
                _awaiting = false;
                return ReadResult.NoResponse;
            }

            return ReadResult.NotReady;
        }
    }
}
