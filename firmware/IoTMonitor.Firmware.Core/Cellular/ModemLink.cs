using IoTMonitor.Firmware.Core.Cellular.At;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Power;
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
    /// <para>
    /// Between uploads the module is either switched off or left powered in PSM (power saving mode,
    /// 3GPP TS 23.682 §4.5.4; docs/cellular.md "Power mode"). PSM is asked for when
    /// <see cref="PsmIntervalSec"/> is set and the board keeps the supply through the node's sleep
    /// (<see cref="IModemPower.HoldsThroughSleep"/>): AT+CPSMS=1,,,"&lt;T3412 ext&gt;","&lt;T3324&gt;" (27.007
    /// §7.38, timers coded as <see cref="PsmTimer"/>) and AT+CEREG=4 (27.007 §10.1.22) after the SIM
    /// is ready; the read answer then carries what the network granted
    /// (<c>+CEREG: 4,&lt;stat&gt;,&lt;tac&gt;,&lt;ci&gt;,&lt;AcT&gt;,,,"&lt;Active-Time&gt;","&lt;Periodic-TAU&gt;"</c>,
    /// fields 7 and 8). The module stays on in PSM only when the network granted an active time and a
    /// periodic TAU no shorter than the upload interval (a shorter TAU would wake it between uploads
    /// for a tracking-area update, and a denial means the network would keep paging it in idle); in
    /// every other case it is switched off as before. The next connect wakes it with a PWRKEY pulse
    /// (<see cref="IModemPower.Wake"/>): it keeps its registration, so no boot and no attach. A module
    /// that does not answer after the wake is power-cycled.
    /// </para>
    /// <para>
    /// Below <see cref="MinBatteryVolts"/> (the battery reading the core hands over in
    /// <see cref="LinkSettings.BatteryVolts"/>) the module is not powered at all: a Cat-1 transmit
    /// burst of ≈ 2 A through the pack's source resistance takes VBAT under the module's minimum and
    /// browns the ESP32 out (hardware/common/cellular.md "Power path and sizing"). The connect then
    /// fails at step <c>battery</c>, the readings stay in the flash queue, and the health of the next
    /// upload carries the count (<see cref="NetworkReport.BatteryCutoffs"/>).
    /// </para>
    /// </remarks>
    public sealed class ModemLink : INodeLink, IUrcSink
    {
        /// <summary>Longest wait for the first OK after power-on, ms (A7670 is ready ≈ 10 s after PWRKEY; hardware design guide).</summary>
        public const int SyncMs = 12000;

        /// <summary>Time between two registration queries, ms.</summary>
        public const int RegistrationPollMs = 1000;

        /// <summary>AT+CGATT's maximum response time, ms (A76XX manual: 75 s).</summary>
        public const int AttachMaxMs = 75000;

        /// <summary>Longest wait for the first OK after a PSM wake pulse, ms (estimate: the module resumes from PSM without a boot).</summary>
        public const int PsmWakeMs = 5000;

        /// <summary>Active time (T3324) requested, s: the receive window after an upload is the node's own, so the module may sleep soon after.</summary>
        public const int PsmActiveSec = 10;

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
        private bool _resting;
        private bool _psmAsked;
        private bool _fromPsm;
        private int _sessionPublishes;

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
            _mqtt = kind == ModemKind.Quectel ? new QuectelMqtt(_inbox) : kind == ModemKind.SimcomSm ? new SimcomSmMqtt(_inbox) : (IModemMqtt)new SimcomMqtt(_inbox);
            _power = power;
            _clockSetter = clockSetter;
            _apn = apn;
            _caCertificate = caCertificate;
        }

        /// <summary>
        /// The node's upload interval, s, for which PSM is requested (periodic TAU asked: twice the
        /// interval; granted: at least the interval). 0 = never PSM: the module is off between uploads.
        /// </summary>
        public int PsmIntervalSec { get; set; }

        /// <summary>Battery voltage below which the module is not powered (config <c>cellular.minV</c>), V; 0 = no limit.</summary>
        public double MinBatteryVolts { get; set; }

        /// <summary>The module's phases and currents for the energy account per mode (<see cref="CellularInfo.PsmModemMas"/>); null = not accounted.</summary>
        public CellularProfile Profile { get; set; }

        /// <summary>True when PSM is asked for: an interval is set and the supply survives the node's sleep.</summary>
        public bool PsmWanted
        {
            get { return PsmIntervalSec > 0 && _power != null && _power.HoldsThroughSleep; }
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
            if (MinBatteryVolts > 0 && settings.BatteryVolts > 0 && settings.BatteryVolts < MinBatteryVolts)
            {
                // Not even a module resting in PSM stays on: its periodic TAU would transmit too.
                _info.BatteryCutoffs++;
                _report.BatteryCutoffs = _info.BatteryCutoffs;
                if (_power != null && _up)
                {
                    PowerOff();
                }

                return Fail("battery", LinkStatus.WifiFailed);
            }

            _fromPsm = false;
            _sessionPublishes = 0;
            _info.PsmGranted = false; // read afresh once registered: a connect that fails earlier leaves no grant to rest on
            if (_power != null && !_up)
            {
                _power.On();
                _up = true;
                _synced = false;
                _psmAsked = false;
                _info.ColdStarts++;
            }
            else if (_resting)
            {
                _resting = false;
                _fromPsm = true;
                _info.PsmWakes++;

                // Still in its active time the module answers at once; asleep it needs the wake pulse.
                if (_at.Command("AT", null, 300) != AtResult.Ok)
                {
                    _power.Wake();
                    _synced = _at.Sync(Min(PsmWakeMs, _at.Left(deadline)));
                }
            }

            if (!_synced || _at.Command("AT", null, 1000) != AtResult.Ok)
            {
                _synced = _at.Sync(Min(SyncMs, _at.Left(deadline)));
                if (!_synced && _power != null && _at.Left(deadline) > SyncMs)
                {
                    // A modem that ignores AT is hung: only a power cycle brings it back (hardware design guides).
                    _power.Off();
                    _power.On();
                    _psmAsked = false;
                    _fromPsm = false;
                    _info.ColdStarts++;
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

            if (PsmWanted && !_psmAsked)
            {
                RequestPsm();
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
            _report.PowerMode = PsmWanted && _info.PsmGranted ? NetworkReport.ModePsm : NetworkReport.ModeOff;
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
            _sessionPublishes++;
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
            if (_power != null && !_up)
            {
                return; // not powered (battery cut-off, or never connected): nothing to close
            }

            _mqtt.Close(_at, _clock.Millis + CommandMs);
            if (_power == null)
            {
                return;
            }

            bool rest = PsmWanted && _info.PsmGranted && _synced;
            Account(rest);
            if (rest)
            {
                // Left powered: the module enters PSM by itself once the active time (T3324) runs out.
                _resting = true;
                _info.PsmRests++;
            }
            else
            {
                PowerOff();
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
                if (stat == 1 || stat == 5)
                {
                    ReadPsmGrant();
                }
                else if (stat != 3)
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

        // AT+CPSMS=1,,,"<T3412 ext>","<T3324>" (27.007 §7.38: the RAU and GPRS READY timers are GERAN/UTRAN
        // only, left empty) and AT+CEREG=4 so the read answer carries what the network granted. A module
        // without PSM answers ERROR: then it is switched off between uploads as the others.
        private void RequestPsm()
        {
            _psmAsked = true;
            long tau = (long)PsmIntervalSec * 2;
            _at.Begin("AT+CPSMS=1,,,").Quoted(PsmTimer.EncodeTau(tau > int.MaxValue ? int.MaxValue : (int)tau)).Text(",").Quoted(PsmTimer.EncodeActive(PsmActiveSec));
            _info.PsmRequested = _at.Run(null, CommandMs) == AtResult.Ok && _at.Command("AT+CEREG=4", null, CommandMs) == AtResult.Ok;
        }

        // The last +CEREG read answer: +CEREG: <n>,<stat>,[<tac>],[<ci>],[<AcT>],[<cause_type>],[<reject_cause>],[<Active-Time>],[<Periodic-TAU>]
        // (27.007 §10.1.22, n = 4). Both timers absent or deactivated: the network did not grant PSM.
        private void ReadPsmGrant()
        {
            _info.PsmActiveSec = PsmTimer.DecodeActive(_at.InfoText(0, 7));
            _info.PsmTauSec = PsmTimer.DecodeTau(_at.InfoText(0, 8));
            _info.PsmGranted = _info.PsmRequested && _info.PsmActiveSec >= 0 && _info.PsmTauSec > 0 && _info.PsmTauSec >= PsmIntervalSec;
        }

        private void PowerOff()
        {
            _power.Off();
            _up = false;
            _synced = false;
            _resting = false;
        }

        // The module's charge of this upload by the mode it came from, and of the rest it goes into until
        // the next one (PSM floor or the load switch's leakage over the interval).
        private void Account(bool rest)
        {
            CellularProfile m = Profile;
            if (m == null)
            {
                return;
            }

            int publishes = _sessionPublishes;
            double between = CellularEnergy.BetweenMa(m, rest) * (PsmIntervalSec > 0 ? PsmIntervalSec : 0);
            if (_fromPsm)
            {
                _info.PsmModemMas += CellularEnergy.PsmUploadModemMas(m, publishes);
            }
            else
            {
                _info.OffModemMas += CellularEnergy.OffUploadModemMas(m, publishes);
            }

            if (rest)
            {
                _info.PsmModemMas += between;
            }
            else
            {
                _info.OffModemMas += between;
            }
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
