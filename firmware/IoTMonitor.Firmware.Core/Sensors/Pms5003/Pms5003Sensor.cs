using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors.Pms5003
{
    /// <summary>
    /// PMS5003 in passive mode over a UART (9600 8N1): each <see cref="PolledUartSensor.Read"/> cycle
    /// asks for one frame (CMD 0xE2) and parses the reply byte by byte. Channels: raw[0] PM1.0,
    /// raw[1] PM2.5, raw[2] PM10, µg/m³ "under atmospheric environment" (data 4–6; the CF=1 values
    /// are on <see cref="Parser"/>).
    /// </summary>
    /// <remarks>
    /// Passive mode rather than the power-up active mode: the node samples on its own schedule, and a
    /// request/reply pair lets the driver tell "no sensor" from "frame not finished yet".
    /// </remarks>
    public sealed class Pms5003Sensor : PolledUartSensor
    {
        /// <summary>"Stable data should be got at least 30 seconds after the sensor wakeup" (manual v2.3; <see cref="SensorSettle.Pms5003FanMs"/>).</summary>
        public const int FanWarmupMs = SensorSettle.Pms5003FanMs;

        /// <summary>Upper end of the effective range, 0–500 µg/m³ typical, 1000 max (manual v2.3).</summary>
        public const int MaxUgPerM3 = 1000;

        /// <summary>Default wait for a reply before <see cref="ReadResult.NoResponse"/>.</summary>
        public const int DefaultReplyTimeoutMs = 1500;

        private readonly Pms5003FrameParser _parser;
        private readonly byte[] _tx = new byte[Pms5003Command.Length];

        /// <summary>Creates the driver; <paramref name="clock"/> times the reply and the fan warm-up.</summary>
        public Pms5003Sensor(IUart uart, IClock clock, int replyTimeoutMs = DefaultReplyTimeoutMs)
            : this(uart, clock, replyTimeoutMs, new Pms5003FrameParser())
        {
        }

        private Pms5003Sensor(IUart uart, IClock clock, int replyTimeoutMs, Pms5003FrameParser parser)
            : base(uart, clock, replyTimeoutMs, parser, FanWarmupMs)
        {
            _parser = parser;
        }

        /// <inheritdoc />
        public override int ChannelCount
        {
            get { return 3; }
        }

        /// <summary>The frame parser, for the CF=1 values and particle counts of the last frame.</summary>
        public Pms5003FrameParser Parser
        {
            get { return _parser; }
        }

        /// <inheritdoc />
        protected override void SendPolledMode()
        {
            Send(Pms5003Command.ChangeMode, 0);
        }

        /// <inheritdoc />
        protected override void SendWake(bool wake)
        {
            Send(Pms5003Command.SleepWake, wake ? 1 : 0);
        }

        /// <inheritdoc />
        protected override void SendRequest()
        {
            Pms5003Command.Write(_tx, 0, Pms5003Command.PassiveRead, 0);
            Request(_tx, Pms5003Command.Length);
        }

        /// <inheritdoc />
        protected override ReadResult Convert(double[] raw)
        {
            raw[0] = _parser.Pm1Atmospheric;
            raw[1] = _parser.Pm25Atmospheric;
            raw[2] = _parser.Pm10Atmospheric;
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
            Send(_tx, Pms5003Command.Length);
        }
    }
}
