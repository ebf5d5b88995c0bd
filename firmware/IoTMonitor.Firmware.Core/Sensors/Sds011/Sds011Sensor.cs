namespace IoTMonitor.Firmware.Core.Sensors.Sds011
{
    /// <summary>
    /// SDS011 in query mode over a UART (9600 8N1): each <see cref="Read"/> cycle sends "query data"
    /// and parses the 0xC0 reply. Channels: raw[0] PM2.5, raw[1] PM10, µg/m³.
    /// </summary>
    public sealed class Sds011Sensor : ISensor
    {
        /// <summary>
        /// Fan and laser settling after "work": the working-period command works 30 s before
        /// reporting (protocol V1.3, command 8), and ESPHome waits the same.
        /// </summary>
        public const int FanWarmupMs = 30000;

        /// <summary>Upper end of the range, 0.0–999.9 µg/m³ (spec V1.3).</summary>
        public const int MaxTenths = 9999;

        /// <summary>Default wait for a reply before <see cref="ReadResult.NoResponse"/>.</summary>
        public const int DefaultReplyTimeoutMs = 1500;

        private const int MaxBytesPerRead = 256;

        private readonly IUart _uart;
        private readonly IMillisecondClock _clock;
        private readonly int _deviceId;
        private readonly int _replyTimeoutMs;
        private readonly Sds011FrameParser _parser = new Sds011FrameParser();
        private readonly byte[] _tx = new byte[Sds011Command.Length];
        private readonly byte[] _rx = new byte[64];
        private bool _initialized;
        private bool _awaiting;
        private long _startedMs;
        private long _sentMs;

        /// <summary>Creates the driver for <paramref name="deviceId"/> (0xFFFF: whichever answers).</summary>
        public Sds011Sensor(IUart uart, IMillisecondClock clock, int deviceId = Sds011Command.AllDevices, int replyTimeoutMs = DefaultReplyTimeoutMs)
        {
            _uart = uart;
            _clock = clock;
            _deviceId = deviceId;
            _replyTimeoutMs = replyTimeoutMs;
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 2; }
        }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return FanWarmupMs; }
        }

        /// <summary>The frame parser (device id, last reply).</summary>
        public Sds011FrameParser Parser
        {
            get { return _parser; }
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            _awaiting = false;
            _parser.Reset();
            // Query mode is not kept across power cycles on every firmware; set it each wake (it
            // is not the flash-backed working period, so the write costs no flash wear).
            Send(Sds011Command.ReportMode, 1, 1);
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

            Send(Sds011Command.SleepWork, 1, 1);
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
                _uart.DiscardInput();
                _parser.Reset();
                Send(Sds011Command.QueryData, 0, 0);
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
                    // 0xC5 replies to settings may still arrive; only a data frame answers the query.
                    if (_parser.Feed(_rx[i]) == FrameStatus.Complete && _parser.Command == Sds011FrameParser.DataCommand)
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
            Send(Sds011Command.SleepWork, 1, 0);
        }

        private ReadResult Publish(double[] raw)
        {
            int pm25 = _parser.Pm25Tenths;
            int pm10 = _parser.Pm10Tenths;
            raw[0] = pm25 / 10.0;
            raw[1] = pm10 / 10.0;
            if (_clock.NowMs - _startedMs < FanWarmupMs)
            {
                return ReadResult.WarmingUp;
            }

            return pm25 > MaxTenths || pm10 > MaxTenths ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        private void Send(byte data1, byte data2, byte data3)
        {
            Sds011Command.Write(_tx, 0, data1, data2, data3, _deviceId);
            _uart.Write(_tx, 0, Sds011Command.Length);
        }
    }
}
