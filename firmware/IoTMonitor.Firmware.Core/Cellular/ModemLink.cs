using IoTMonitor.Firmware.Core.Cellular.At;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// <see cref="INodeLink"/> over a cellular modem's own MQTT client (LTE Cat-1, Cat-M, NB-IoT):
    /// the node talks AT commands on a UART (<see cref="AtEngine"/>), the modem holds the TCP/TLS
    /// connection. QoS 1 is kept end to end: <see cref="Publish"/> returns Ok only when the modem
    /// reports the broker's PUBACK for that message, so the core releases the flash queue then and
    /// only then.
    /// </summary>
    /// <remarks>
    /// Connect, in order, each step bounded by the one deadline the core gives:
    /// <list type="number">
    /// <item><see cref="AtEngine.Sync"/> (AT until OK, ATE0, AT+CMEE=1). Silence: the modem is hung or
    /// off; <see cref="IModemPower"/> (when wired) power-cycles it once and the sync is retried.</item>
    /// <item>AT+CPIN? → <c>+CPIN: READY</c> (3GPP TS 27.007 §8.3); no SIM is <c>+CME ERROR: 10</c>.</item>
    /// <item>AT+CGDCONT=1,"IP","apn" when an APN is configured (27.007 §10.1.1).</item>
    /// <item>AT+CEREG? then AT+CREG? every second until stat 1 (home) or 5 (roaming) (27.007 §10.1.22,
    /// §7.2); 3 (denied) ends the attempt at once.</item>
    /// <item>AT+CGATT? → 1, else AT+CGATT=1 (27.007 §10.1.9).</item>
    /// <item>AT+CSQ (§8.5), AT+COPS? (§7.3), the dialect's RSRP query, and the ICCID once per power-on.</item>
    /// <item>TLS context and CA (<see cref="IModemMqtt.ConfigureTls"/>) when the settings ask for TLS.</item>
    /// <item>MQTT connect and subscribe through the dialect.</item>
    /// </list>
    /// A modem restart (<c>RDY</c> on SIM7600/Quectel, <c>*ATREADY: 1</c> on A76XX) seen at any time
    /// drops the session: the calls then return Disconnected and the core reconnects at its next try.
    /// </remarks>
    public sealed class ModemLink : INodeLink, IUrcSink
    {
        /// <summary>Longest wait for the first OK after power-on, ms (A7670 is ready ≈ 10 s after PWRKEY; hardware design guide).</summary>
        public const int SyncMs = 12000;

        /// <summary>Time between two registration queries, ms.</summary>
        public const int RegistrationPollMs = 1000;

        /// <summary>AT+CGATT's maximum response time, ms (A76XX manual: 75 s).</summary>
        public const int AttachMaxMs = 75000;

        private const int CommandMs = 5000;

        private readonly AtEngine _at;
        private readonly IClock _clock;
        private readonly IModemMqtt _mqtt;
        private readonly ModemInbox _inbox;
        private readonly IModemPower _power;
        private readonly IClockSetter _clockSetter;
        private readonly string _apn;
        private readonly byte[] _caCertificate;
        private readonly CellularInfo _info = new CellularInfo();
        private readonly NetworkReport _report = new NetworkReport();
        private bool _synced;
        private bool _up;

        /// <summary>
        /// Link on <paramref name="port"/> speaking <paramref name="kind"/>'s MQTT commands;
        /// <paramref name="apn"/> may be null (the SIM's default), <paramref name="caCertificate"/> is the
        /// PEM of the CA that signed the gateway's certificate (required for TLS), <paramref name="power"/>
        /// and <paramref name="clockSetter"/> may be null.
        /// </summary>
        public ModemLink(IUart port, IClock clock, ModemKind kind, string apn, byte[] caCertificate, IModemPower power, IClockSetter clockSetter)
        {
            _clock = clock;
            _at = new AtEngine(port, clock);
            _at.Sink = this;
            _inbox = new ModemInbox();
            _mqtt = kind == ModemKind.Quectel ? (IModemMqtt)new QuectelMqtt(_inbox) : new SimcomMqtt(_inbox);
            _power = power;
            _clockSetter = clockSetter;
            _apn = apn;
            _caCertificate = caCertificate;
        }

        /// <summary>What the modem reported at the last connect.</summary>
        public CellularInfo Info
        {
            get { return _info; }
        }

        /// <summary>What the node reports to the gateway in its batch health (protocol §4), refreshed at each connect.</summary>
        public NetworkReport Report
        {
            get { return _report; }
        }

        /// <summary>The AT engine (its counters: discarded lines, URCs, echoes).</summary>
        public AtEngine At
        {
            get { return _at; }
        }

        /// <inheritdoc />
        public int Rssi
        {
            get { return _info.RssiDbm; }
        }

        /// <inheritdoc />
        public LinkStatus Connect(LinkSettings settings, int timeoutMs)
        {
            long deadline = _clock.Millis + timeoutMs;
            _info.FailedStep = null;
            _info.LastCmeError = -1;
            if (_power != null && !_up)
            {
                _power.On();
                _up = true;
                _synced = false;
            }

            if (!_synced || _at.Command("AT", null, 1000) != AtResult.Ok)
            {
                _synced = _at.Sync(Min(SyncMs, _at.Left(deadline)));
                if (!_synced && _power != null && _at.Left(deadline) > SyncMs)
                {
                    // A modem that ignores AT is hung: only a power cycle brings it back (hardware design guides).
                    _power.Off();
                    _power.On();
                    _synced = _at.Sync(Min(SyncMs, _at.Left(deadline)));
                }

                if (!_synced)
                {
                    return Fail("sync", LinkStatus.Timeout);
                }

                _mqtt.Reset();
            }

            if (_at.Command("AT+CPIN?", "+CPIN:", CommandMs) != AtResult.Ok || _at.InfoText(0, 0) != "READY")
            {
                return Fail("sim", LinkStatus.WifiFailed);
            }

            if (_apn != null && _apn.Length > 0)
            {
                _at.Begin("AT+CGDCONT=1,\"IP\",").Quoted(_apn);
                if (_at.Run(null, CommandMs) != AtResult.Ok)
                {
                    return Fail("apn", LinkStatus.WifiFailed);
                }
            }

            LinkStatus st = WaitRegistered(deadline);
            if (st != LinkStatus.Ok)
            {
                return st;
            }

            if (_at.Command("AT+CGATT?", "+CGATT:", CommandMs) != AtResult.Ok || _at.InfoInt(0, 0, 0) != 1)
            {
                if (_at.Command("AT+CGATT=1", null, Min(AttachMaxMs, _at.Left(deadline))) != AtResult.Ok)
                {
                    return Fail("attach", LinkStatus.WifiFailed);
                }
            }

            ReadSignal();
            if (_info.Iccid == null && _at.Command(_mqtt.IccidCommand, _mqtt.IccidPrefix, CommandMs) == AtResult.Ok)
            {
                _info.Iccid = _at.InfoText(0, 0);
            }

            _report.Operator = _info.Operator;
            _report.AccessTech = _info.AccessTech;
            _report.RsrpDbm = _info.RsrpDbm;
            _report.Iccid = _info.Iccid;
            if (settings.Tls)
            {
                st = _mqtt.ConfigureTls(_at, _caCertificate, deadline);
                if (st != LinkStatus.Ok)
                {
                    return Fail("tls", st);
                }
            }

            _inbox.Clear();
            st = _mqtt.Connect(_at, settings, deadline);
            if (st != LinkStatus.Ok)
            {
                return Fail("mqtt", st);
            }

            if (settings.SubscribeTopics != null && settings.SubscribeTopics.Length > 0)
            {
                st = _mqtt.Subscribe(_at, settings.SubscribeTopics, deadline);
                if (st != LinkStatus.Ok)
                {
                    return Fail("subscribe", st);
                }
            }

            return LinkStatus.Ok;
        }

        /// <inheritdoc />
        public bool SyncTime(string server, int timeoutMs)
        {
            // The network's time (NITZ) as the modem keeps it: +CCLK: "yy/MM/dd,hh:mm:ss±zz", zz in
            // quarter hours (3GPP TS 27.007 §8.15). A modem that never got NITZ reports its build date:
            // anything before 2024 is taken as unset.
            if (_clockSetter == null || _at.Command("AT+CCLK?", "+CCLK:", Min(CommandMs, timeoutMs)) != AtResult.Ok)
            {
                return false;
            }

            long utc = NetworkTime.ParseCclk(_at.InfoText(0, 0));
            if (utc < NetworkTime.Earliest)
            {
                return false;
            }

            _clockSetter.SetUtc(utc);
            return true;
        }

        /// <inheritdoc />
        public LinkStatus Publish(string topic, byte[] payload, int offset, int count, bool retain, int timeoutMs)
        {
            return _mqtt.Publish(_at, topic, payload, offset, count, retain, _clock.Millis + timeoutMs);
        }

        /// <inheritdoc />
        public int Receive(byte[] buffer, int timeoutMs, out string topic)
        {
            long deadline = _clock.Millis + timeoutMs;
            while (_inbox.Count == 0)
            {
                if (!_at.Service(deadline))
                {
                    topic = null;
                    return -1;
                }
            }

            return _inbox.Take(buffer, out topic);
        }

        /// <inheritdoc />
        public void Disconnect()
        {
            _mqtt.Close(_at, _clock.Millis + CommandMs);
            if (_power != null && _up)
            {
                _power.Off();
                _up = false;
                _synced = false;
            }
        }

        /// <inheritdoc />
        public int OnUrc(byte[] line, int length)
        {
            int raw;
            if (_mqtt.OnUrc(line, length, out raw))
            {
                return raw;
            }

            if (AtLine.Equals(line, 0, length, "RDY") || AtLine.StartsWith(line, 0, length, "*ATREADY:"))
            {
                // The modem restarted (watchdog, brown-out on a transmit peak): its MQTT session and our
                // echo/error settings are gone. The announcement that ends a power-on is not a reset.
                if (_synced)
                {
                    _info.ModemResets++;
                }

                _synced = false;
                _mqtt.Reset();
            }

            return 0;
        }

        /// <inheritdoc />
        public void OnRaw(byte[] data, int offset, int count)
        {
            _mqtt.OnRaw(data, offset, count);
        }

        private LinkStatus WaitRegistered(long deadline)
        {
            while (true)
            {
                int stat = Registration("AT+CEREG?", "+CEREG:");
                if (stat != 1 && stat != 5 && stat != 3)
                {
                    int legacy = Registration("AT+CREG?", "+CREG:");
                    stat = legacy == 1 || legacy == 5 || legacy == 3 ? legacy : stat;
                }

                _info.Registration = stat;
                if (stat == 1 || stat == 5)
                {
                    return LinkStatus.Ok;
                }

                if (stat == 3)
                {
                    return Fail("registration denied", LinkStatus.WifiFailed);
                }

                if (_at.Left(deadline) <= RegistrationPollMs)
                {
                    return Fail("registration", LinkStatus.WifiFailed);
                }

                _at.Idle(RegistrationPollMs);
            }
        }

        // <stat> is field 1 of the read answer (+CEREG: <n>,<stat>[,…]).
        private int Registration(string command, string prefix)
        {
            return _at.Command(command, prefix, CommandMs) == AtResult.Ok ? _at.InfoInt(0, 1, -1) : -1;
        }

        private void ReadSignal()
        {
            _info.RssiDbm = 0;
            if (_at.Command("AT+CSQ", "+CSQ:", CommandMs) == AtResult.Ok)
            {
                int rssi = _at.InfoInt(0, 0, 99);
                _info.RssiDbm = rssi >= 0 && rssi <= 31 ? -113 + (2 * rssi) : 0;
            }

            if (_at.Command("AT+COPS?", "+COPS:", CommandMs) == AtResult.Ok)
            {
                _info.Operator = _at.InfoText(0, 2);
                _info.AccessTech = _at.InfoInt(0, 3, -1);
            }

            _info.RsrpDbm = _mqtt.ReadRsrp(_at);
        }

        private LinkStatus Fail(string step, LinkStatus status)
        {
            _info.FailedStep = step;
            _info.LastCmeError = _at.ErrorCode;
            return status;
        }

        private static int Min(int a, int b)
        {
            return a < b ? a : b;
        }
    }
}
