using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// The lifecycle every polled UART dust sensor shares (PMS5003 passive mode, SDS011 query mode):
    /// <see cref="Initialize"/> puts the device into its polled mode, <see cref="Start"/> wakes it and
    /// starts the fan warm-up, each <see cref="Read"/> cycle requests one frame and feeds the reply
    /// to the parser through a <see cref="UartFrameReader"/>, <see cref="Sleep"/> puts it to sleep.
    /// A derived driver supplies only its command frames and its conversion.
    /// </summary>
    /// <remarks>
    /// The derived class's hooks are called a few times per <see cref="Read"/>, never per byte: the
    /// per-byte loop stays in <see cref="UartFrameReader"/> and the parser. Values read before
    /// <see cref="WarmupMs"/> has passed since <see cref="Start"/> are written but flagged
    /// <see cref="ReadResult.WarmingUp"/>, whatever the conversion answered.
    /// </remarks>
    public abstract class PolledUartSensor : ISensor
    {
        private readonly IClock _clock;
        private readonly UartFrameReader _link;
        private readonly IFrameParser _parser;
        private readonly int _warmupMs;
        private bool _initialized;
        private long _startedMs;

        /// <summary>
        /// A driver on <paramref name="uart"/> whose replies <paramref name="parser"/> reads;
        /// <paramref name="clock"/> times the reply (<paramref name="replyTimeoutMs"/>) and the
        /// <paramref name="warmupMs"/> after <see cref="Start"/>.
        /// </summary>
        protected PolledUartSensor(IUart uart, IClock clock, int replyTimeoutMs, IFrameParser parser, int warmupMs)
        {
            _clock = clock;
            _link = new UartFrameReader(uart, clock, replyTimeoutMs);
            _parser = parser;
            _warmupMs = warmupMs;
        }

        /// <inheritdoc />
        public abstract int ChannelCount { get; }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return _warmupMs; }
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            _link.Cancel();
            _parser.Reset();
            SendPolledMode();
            _initialized = true;
            return ReadResult.Ok;
        }

        /// <inheritdoc />
        public ReadResult Start()
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            SendWake(true);
            _startedMs = _clock.Millis;
            _link.Cancel();
            return ReadResult.Ok;
        }

        /// <inheritdoc />
        public ReadResult Read(double[] raw)
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            if (!_link.Awaiting)
            {
                SendRequest();
                return ReadResult.NotReady;
            }

            ReadResult r = _link.Poll(_parser);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            ReadResult converted = Convert(raw);
            return _clock.Millis - _startedMs < _warmupMs ? ReadResult.WarmingUp : converted;
        }

        /// <inheritdoc />
        public void Sleep()
        {
            _link.Cancel();
            SendWake(false);
        }

        /// <summary>Sends the command that selects the polled (passive / query) reporting mode.</summary>
        protected abstract void SendPolledMode();

        /// <summary>Sends the command that wakes the device (fan on) or puts it to sleep.</summary>
        protected abstract void SendWake(bool wake);

        /// <summary>Asks for one data frame, through <see cref="Request"/>.</summary>
        protected abstract void SendRequest();

        /// <summary>
        /// Writes the values of the frame the parser just completed into <paramref name="raw"/>;
        /// Ok, or OutOfRange when one is beyond the device's range.
        /// </summary>
        protected abstract ReadResult Convert(double[] raw);

        /// <summary>Sends a command that gets no awaited reply.</summary>
        protected void Send(byte[] frame, int count)
        {
            _link.Send(frame, count);
        }

        /// <summary>Starts the exchange for one data frame.</summary>
        protected void Request(byte[] frame, int count)
        {
            _link.Request(frame, count, _parser);
        }
    }
}
