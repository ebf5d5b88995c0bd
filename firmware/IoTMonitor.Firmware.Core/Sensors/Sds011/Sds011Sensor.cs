using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors.Sds011
{
    /// <summary>
    /// SDS011 in query mode over a UART (9600 8N1): each <see cref="PolledUartSensor.Read"/> cycle
    /// sends "query data" and parses the 0xC0 reply (0xC5 replies to settings may still arrive; the
    /// reader waits for a data frame, IsData). Channels: raw[0] PM2.5, raw[1] PM10, µg/m³.
    /// </summary>
    public sealed class Sds011Sensor : PolledUartSensor
    {
        /// <summary>
        /// Fan and laser settling after "work": the working-period command works 30 s before
        /// reporting (protocol V1.3, command 8; <see cref="SensorSettle.Sds011FanMs"/>).
        /// </summary>
        public const int FanWarmupMs = SensorSettle.Sds011FanMs;

        /// <summary>Upper end of the range, 0.0–999.9 µg/m³ (spec V1.3).</summary>
        public const int MaxTenths = 9999;

        /// <summary>Default wait for a reply before <see cref="ReadResult.NoResponse"/>.</summary>
        public const int DefaultReplyTimeoutMs = 1500;

        private readonly int _deviceId;
        private readonly Sds011FrameParser _parser;
        private readonly byte[] _tx = new byte[Sds011Command.Length];

        /// <summary>Creates the driver for <paramref name="deviceId"/> (0xFFFF: whichever answers).</summary>
        public Sds011Sensor(IUart uart, IClock clock, int deviceId = Sds011Command.AllDevices, int replyTimeoutMs = DefaultReplyTimeoutMs)
            : this(uart, clock, deviceId, replyTimeoutMs, new Sds011FrameParser())
        {
        }

        private Sds011Sensor(IUart uart, IClock clock, int deviceId, int replyTimeoutMs, Sds011FrameParser parser)
            : base(uart, clock, replyTimeoutMs, parser, FanWarmupMs)
        {
            _deviceId = deviceId;
            _parser = parser;
        }

        /// <inheritdoc />
        public override int ChannelCount
        {
            get { return 2; }
        }

        /// <summary>The frame parser (device id, last reply).</summary>
        public Sds011FrameParser Parser
        {
            get { return _parser; }
        }

        /// <inheritdoc />
        protected override void SendPolledMode()
        {
            // Query mode is not kept across power cycles on every firmware; set it each wake (it
            // is not the flash-backed working period, so the write costs no flash wear).
            Send(Sds011Command.ReportMode, 1, 1);
        }

        /// <inheritdoc />
        protected override void SendWake(bool wake)
        {
            Send(Sds011Command.SleepWork, 1, wake ? (byte)1 : (byte)0);
        }

        /// <inheritdoc />
        protected override void SendRequest()
        {
            Sds011Command.Write(_tx, 0, Sds011Command.QueryData, 0, 0, _deviceId);
            Request(_tx, Sds011Command.Length);
        }

        /// <inheritdoc />
        protected override ReadResult Convert(double[] raw)
        {
            int pm25 = _parser.Pm25Tenths;
            int pm10 = _parser.Pm10Tenths;
            raw[0] = pm25 / 10.0;
            raw[1] = pm10 / 10.0;
            return pm25 > MaxTenths || pm10 > MaxTenths ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        private void Send(byte data1, byte data2, byte data3)
        {
            Sds011Command.Write(_tx, 0, data1, data2, data3, _deviceId);
            Send(_tx, Sds011Command.Length);
        }
    }
}
