namespace IoTMonitor.Firmware.Core.Sensors.Pms5003
{
    /// <summary>
    /// PMS5003 in passive mode over a UART (9600 8N1): each <see cref="Read"/> cycle asks for one
    /// frame (CMD 0xE2) and parses the reply byte by byte. Channels: raw[0] PM1.0, raw[1] PM2.5,
    /// raw[2] PM10, µg/m³ "under atmospheric environment" (data 4–6; the CF=1 values are on
    /// <see cref="Parser"/>).
    /// </summary>
    /// <remarks>
    /// Passive mode rather than the power-up active mode: the node samples on its own schedule, and a
    /// request/reply pair lets the driver tell "no sensor" from "frame not finished yet".
    /// </remarks>
    public sealed class Pms5003Sensor : ISensor
    {
        /// <summary>"Stable data should be got at least 30 seconds after the sensor wakeup" (manual v2.3).</summary>
        public const int FanWarmupMs = 30000;

        /// <summary>Upper end of the effective range, 0–500 µg/m³ typical, 1000 max (manual v2.3).</summary>
        public const int MaxUgPerM3 = 1000;

        /// <summary>Default wait for a reply before <see cref="ReadResult.NoResponse"/>.</summary>
        public const int DefaultReplyTimeoutMs = 1500;

        // Bounds the bytes one Read consumes, so a babbling line cannot keep Read busy forever.
        private const int MaxBytesPerRead = 256;

        private readonly IUart _uart;
        private readonly IMillisecondClock _clock;
        private readonly int _replyTimeoutMs;
        private readonly Pms5003FrameParser _parser = new Pms5003FrameParser();
        private readonly byte[] _tx = new byte[Pms5003Command.Length];
        private readonly byte[] _rx = new byte[64];
        private bool _initialized;
        private bool _awaiting;
        private long _startedMs;
        private long _sentMs;

        /// <summary>Creates the driver; <paramref name="clock"/> times the reply and the fan warm-up.</summary>
        public Pms5003Sensor(IUart uart, IMillisecondClock clock, int replyTimeoutMs = DefaultReplyTimeoutMs)
        {
            _uart = uart;
            _clock = clock;
            _replyTimeoutMs = replyTimeoutMs;
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 3; }
        }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return FanWarmupMs; }
        }

        /// <summary>The frame parser, for the CF=1 values and particle counts of the last frame.</summary>
        public Pms5003FrameParser Parser
        {
            get { return _parser; }
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            _awaiting = false;
            _parser.Reset();
            Send(Pms5003Command.ChangeMode, 0);
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

            Send(Pms5003Command.SleepWake, 1);
            _startedMs = _clock.NowMs;
            _awaiting = false;
            return ReadResult.Ok;
        }

        /// <inheritdoc />
        public ReadResult Read(double[] raw)
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            if (!_awaiting)
            {
                // Old bytes (command acknowledgements, active-mode frames) must not be taken for
                // the reply.
                _uart.DiscardInput();
                _parser.Reset();
                Send(Pms5003Command.PassiveRead, 0);
                _sentMs = _clock.NowMs;
                _awaiting = true;
                return ReadResult.NotReady;
            }

            int checksumErrors = _parser.ChecksumErrors;
            int consumed = 0;
            while (consumed < MaxBytesPerRead)
            {
                int n = _uart.Read(_rx, 0, _rx.Length);
                if (n <= 0)
                {
                    break;
                }

                consumed += n;
                for (int i = 0; i < n; i++)
                {
                    if (_parser.Feed(_rx[i]) == FrameStatus.Complete)
                    {
                        _awaiting = false;
                        return Publish(raw);
                    }
                }
            }

            if (_parser.ChecksumErrors != checksumErrors)
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

        /// <inheritdoc />
        public void Sleep()
        {
            _awaiting = false;
            Send(Pms5003Command.SleepWake, 0);
        }

        private ReadResult Publish(double[] raw)
        {
            raw[0] = _parser.Pm1Atmospheric;
            raw[1] = _parser.Pm25Atmospheric;
            raw[2] = _parser.Pm10Atmospheric;
            if (_clock.NowMs - _startedMs < FanWarmupMs)
            {
                return ReadResult.WarmingUp;
            }

            if (_parser.Pm1Atmospheric > MaxUgPerM3 || _parser.Pm25Atmospheric > MaxUgPerM3
                || _parser.Pm10Atmospheric > MaxUgPerM3)
            {
                return ReadResult.OutOfRange;
            }

            return ReadResult.Ok;
        }

        private void Send(byte command, int data)
        {
            Pms5003Command.Write(_tx, 0, command, data);
            _uart.Write(_tx, 0, Pms5003Command.Length);
        }
    }
}
