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

        private readonly IMillisecondClock _clock;
        private readonly UartFrameReader _link;
        private readonly Pms5003FrameParser _parser = new Pms5003FrameParser();
        private readonly byte[] _tx = new byte[Pms5003Command.Length];
        private bool _initialized;
        private long _startedMs;

        /// <summary>Creates the driver; <paramref name="clock"/> times the reply and the fan warm-up.</summary>
        public Pms5003Sensor(IUart uart, IMillisecondClock clock, int replyTimeoutMs = DefaultReplyTimeoutMs)
        {
            _clock = clock;
            _link = new UartFrameReader(uart, clock, replyTimeoutMs);
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
            _link.Cancel();
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
                Pms5003Command.Write(_tx, 0, Pms5003Command.PassiveRead, 0);
                _link.Request(_tx, Pms5003Command.Length, _parser);
                return ReadResult.NotReady;
            }

            ReadResult r = _link.Poll(_parser);
            return r == ReadResult.Ok ? Publish(raw) : r;
        }

        /// <inheritdoc />
        public void Sleep()
        {
            _link.Cancel();
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
            _link.Send(_tx, Pms5003Command.Length);
        }
    }
}
