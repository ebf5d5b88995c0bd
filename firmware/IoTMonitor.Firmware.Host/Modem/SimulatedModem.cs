using System.Security.Cryptography.X509Certificates;
using System.Text;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Host.Modem;

/// <summary>
/// A cellular modem on the node's UART, written from the AT manuals: it answers the commands the
/// node uses as SIMCom A76XX/SIM7600 (<c>AT+CMQTT…</c>) or Quectel EC200x/EC800N/BG95 (<c>AT+QMT…</c>)
/// do, with their URCs and (scaled) timings, and holds a real MQTT connection (<see cref="MqttRelay"/>)
/// behind them. Faults come from <see cref="ModemBehaviour"/>.
/// </summary>
/// <remarks>
/// Sources (docs/references.md, "Cellular modems"): SIMCom "A76XX Series_AT Command Manual" V1.11,
/// chapters on network commands (AT+CPIN, AT+CEREG, AT+CGATT, AT+CSQ, AT+COPS, AT+CPSI, AT+CICCID),
/// SSL (AT+CCERTDOWN, AT+CCERTLIST, AT+CSSLCFG) and MQTT(S) (AT+CMQTT…); Quectel "LTE Standard MQTT
/// Application Note" V1.2 (AT+QMT…, +QMTSTAT, +QMTRECV) and "LTE Standard AT Commands Manual"
/// (AT+QCCID, AT+QCSQ); 3GPP TS 27.007 for the standard commands and +CME ERROR codes (10 = SIM not
/// inserted); ITU-T V.250 for echo and framing. Output becomes readable at the modem's time
/// (<see cref="IClock.Millis"/> of the clock given), so waits cost simulated, not real, time.
/// </remarks>
public sealed class SimulatedModem : IUart, IModemPower, IDisposable
{
    private readonly IClock _clock;
    private readonly object _lock = new();
    private readonly List<(long Due, byte[] Bytes)> _out = [];
    private readonly List<byte> _lineIn = [];
    private readonly List<string> _subTopics = [];
    private readonly Dictionary<string, byte[]> _files = [];
    private string? _caFile;
    private bool _quectelTls;
    private byte[]? _data;
    private int _dataUsed;
    private Action<byte[]>? _onData;
    private bool _powered;
    private long _readyAt;
    private long _registeredAt;
    private bool _echo;
    private bool _hung;
    private bool _mqttStarted;
    private string? _clientId;
    private string? _willTopic;
    private byte[]? _will;
    private bool _willRetain;
    private string? _pubTopic;
    private byte[]? _pubPayload;
    private string? _qHost;
    private int _qPort;
    private bool _lostRegistration;
    private int _ceregMode;
    private string? _psmTau;
    private string? _psmActive;
    private bool _inPsm;
    private long _lastActivity;
    private bool _pdp;
    private bool _smTls;
    private readonly Dictionary<string, string> _smConf = [];

    public SimulatedModem(IClock clock, ModemBehaviour behaviour, MqttRelay relay)
    {
        _clock = clock;
        Behaviour = behaviour;
        Relay = relay;
        Relay.Received = OnBrokerMessage;
    }

    public ModemBehaviour Behaviour { get; }

    public MqttRelay Relay { get; }

    /// <summary>Publishes the modem accepted (AT+CMQTTPUB / AT+QMTPUB), counted over its life.</summary>
    public int Publishes { get; private set; }

    /// <summary>Publishes counted for the faults (<see cref="ModemBehaviour.FaultTopic"/>).</summary>
    public int FaultPublishes { get; private set; }

    /// <summary>Power cycles (On after Off).</summary>
    public int PowerCycles { get; private set; }

    /// <summary>Every command line received, for diagnostics.</summary>
    public List<string> Log { get; } = [];

    public string Iccid { get; set; } = "89860012345678901234";

    /// <summary>The host node's sleep leaves the model's supply alone, so a module in PSM is still there at the next upload.</summary>
    public bool HoldsThroughSleep => true;

    /// <summary>Times the module entered PSM (its active time ran out with no MQTT session).</summary>
    public int PsmEntries { get; private set; }

    /// <summary>Wake pulses that brought the module out of PSM.</summary>
    public int PsmWakes { get; private set; }

    /// <summary>
    /// True while the module sleeps in PSM: it was granted, no MQTT session is open and the active
    /// time (T3324) has run out since the last activity. The UART then answers nothing (3GPP TS
    /// 23.682 §4.5.4: the UE is unreachable and its access stratum is off) until <see cref="Wake"/>.
    /// </summary>
    public bool InPsm
    {
        get
        {
            if (!_inPsm && _powered && !_hung && GrantedActiveSec() >= 0 && !Relay.IsConnected && _clock.Millis >= _lastActivity + (GrantedActiveSec() * 1000L))
            {
                _inPsm = true;
                PsmEntries++;
            }

            return _inPsm;
        }
    }

    /// <summary>PWRKEY pulse: leaves PSM (answers after <see cref="ModemBehaviour.PsmResumeMs"/>, still registered); nothing when awake.</summary>
    public void Wake()
    {
        if (!InPsm)
        {
            return;
        }

        _inPsm = false;
        PsmWakes++;
        _readyAt = _clock.Millis + Behaviour.PsmResumeMs;
        _lastActivity = _readyAt;
    }

    /// <summary>Command names answered ERROR by <see cref="ModemBehaviour.ErrorSweep"/>.</summary>
    public HashSet<string> Errored { get; } = new(StringComparer.Ordinal);

    /// <summary>How often each fault was shown (keys: <see cref="Faults"/>), so a test can prove it hit.</summary>
    public Dictionary<string, int> Fired { get; } = new(StringComparer.Ordinal);

    /// <summary>A command line's name: up to and including '=' or '?' ("AT+CPIN?", "AT+CMQTTTOPIC=", "AT+CSQ").</summary>
    public static string CommandName(string line)
    {
        var end = line.IndexOfAny(['=', '?']);
        return end < 0 ? line : line[..(end + 1)];
    }

    /// <summary>Powers on: boot URCs after <see cref="ModemBehaviour.BootMs"/>; registration after a further <see cref="ModemBehaviour.RegistrationMs"/>.</summary>
    public void On()
    {
        if (_powered)
        {
            return;
        }

        _powered = true;
        PowerCycles++;
        if (_hung)
        {
            Count(Faults.HangPowerCycled);
        }

        _hung = false;
        _echo = Behaviour.EchoAtBoot;
        _readyAt = _clock.Millis + Behaviour.BootMs;
        _registeredAt = _readyAt + Behaviour.RegistrationMs;
        _lostRegistration = false;
        _ceregMode = 0;
        _psmTau = null;
        _psmActive = null;
        _inPsm = false;
        _lastActivity = _readyAt;
        if (Behaviour.GarbageAtBoot)
        {
            Count(Faults.Garbage);
            Emit(_clock.Millis + (Behaviour.BootMs / 2), [0xFF, 0x00, 0xFE, 0x80, (byte)'x', 0x13, 0x0A, 0xF0, 0xF1]);
        }

        // A76XX: "*ATREADY: 1" then "+CPIN: READY", "SMS DONE", "PB DONE"; SIM7600/Quectel: "RDY" first.
        var ready = Behaviour.Kind == ModemKind.Simcom ? "*ATREADY: 1" : "RDY";
        EmitLine(_readyAt, ready);
        EmitLine(_readyAt, Behaviour.NoSim ? "+CPIN: NOT INSERTED" : "+CPIN: READY");
    }

    /// <summary>Cuts the supply: the MQTT connection drops without DISCONNECT, all state is lost.</summary>
    public void Off()
    {
        _powered = false;
        Relay.Drop();
        lock (_lock)
        {
            _out.Clear();
        }

        _lineIn.Clear();
        _data = null;
        _mqttStarted = false;
        _clientId = null;
        _subTopics.Clear();
        _pdp = false;
        _smTls = false;
        _smConf.Clear();
    }

    public int Read(byte[] buffer, int offset, int count)
    {
        lock (_lock)
        {
            var now = _clock.Millis;
            var n = 0;
            while (n < count && _out.Count > 0 && _out[0].Due <= now)
            {
                var (due, bytes) = _out[0];
                var take = Math.Min(count - n, bytes.Length);
                Array.Copy(bytes, 0, buffer, offset + n, take);
                n += take;
                if (take == bytes.Length)
                {
                    _out.RemoveAt(0);
                }
                else
                {
                    _out[0] = (due, bytes[take..]);
                }
            }

            return n;
        }
    }

    public void DiscardInput()
    {
        lock (_lock)
        {
            var now = _clock.Millis;
            _out.RemoveAll(o => o.Due <= now);
        }
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        if (!_powered || _hung || InPsm)
        {
            return;
        }

        for (var i = offset; i < offset + count; i++)
        {
            var b = buffer[i];
            if (_data is not null)
            {
                _data[_dataUsed++] = b;
                if (_dataUsed == _data.Length)
                {
                    var data = _data;
                    _data = null;
                    _onData?.Invoke(data);
                }

                continue;
            }

            if (b == 27)
            {
                _lineIn.Clear();
                continue;
            }

            if (b == '\r')
            {
                var line = Encoding.ASCII.GetString(_lineIn.ToArray());
                _lineIn.Clear();
                if (_clock.Millis < _readyAt)
                {
                    continue; // not booted: the UART is not listening yet
                }

                if (_echo)
                {
                    EmitRaw(_clock.Millis, line + "\r");
                }

                Log.Add(line);
                try
                {
                    Handle(line);
                }
                catch (Exception e) when (e is IndexOutOfRangeException or FormatException or UriFormatException)
                {
                    // A malformed command line: the modem answers ERROR (and the model's log says which).
                    Log.Add("malformed: " + line);
                    Final(_clock.Millis + Behaviour.CommandMs, "ERROR");
                }
            }
            else if (b != '\n')
            {
                _lineIn.Add(b);
            }
        }
    }

    public void Dispose() => Relay.Dispose();

    private void Handle(string line)
    {
        var now = _clock.Millis;
        var at = now + Behaviour.CommandMs;
        _lastActivity = now;
        if (Behaviour.ErrorOn.Any(p => line.StartsWith(p, StringComparison.Ordinal)) || Sweep(line))
        {
            Count(Faults.Error);
            Final(at, "ERROR");
            return;
        }

        var (name, args) = Split(line);
        switch (name)
        {
            case "AT":
            case "AT+CMEE=":
            case "AT+CGDCONT=":
                Final(at, "OK");
                return;
            case "AT+CSSLCFG=":
            case "AT+QSSLCFG=":
                if (args[0] == "CONVERT")
                {
                    // SIM7080: AT+CSSLCFG="CONVERT",2,"<CA file>" turns an uploaded PEM into the CA list.
                    if (!_files.ContainsKey(args[2]))
                    {
                        Final(at, "ERROR");
                        return;
                    }

                    _caFile = args[2];
                }
                else if (args[0] == "cacert")
                {
                    if (!_files.ContainsKey(args[2]))
                    {
                        Final(at, "ERROR");
                        return;
                    }

                    _caFile = args[2];
                }

                Final(at, "OK");
                return;
            case "AT+QMTCFG=":
                if (args[0] == "ssl")
                {
                    _quectelTls = args[2] == "1";
                }

                Final(at, "OK");
                return;
            case "AT+CMQTTSSLCFG=":
                Final(at, "OK");
                return;
            case "ATE0":
            case "ATE1":
                _echo = name == "ATE1";
                Final(at, "OK");
                return;
            case "AT+CPIN?":
                if (Behaviour.NoSim)
                {
                    Count(Faults.NoSim);
                    Final(at, "+CME ERROR: 10"); // 27.007 §9.2: SIM not inserted
                    return;
                }

                Info(at, "+CPIN: READY");
                return;
            case "AT+CPSMS=":
                // 27.007 §7.38: <mode>,<RAU>,<GPRS-READY>,<Periodic-TAU>,<Active-Time>, timers as 8-bit strings.
                _psmTau = args[0] == "1" && args.Length > 3 ? args[3] : null;
                _psmActive = args[0] == "1" && args.Length > 4 ? args[4] : null;
                Final(at, "OK");
                return;
            case "AT+CEREG=":
                _ceregMode = int.Parse(args[0]);
                Final(at, "OK");
                return;
            case "AT+CEREG?":
                Info(at, Cereg());
                return;
            case "AT+CREG?":
                Info(at, "+CREG: 0," + RegistrationStat());
                return;
            case "AT+CGATT?":
                Info(at, "+CGATT: " + (RegistrationStat() is 1 or 5 ? 1 : 0));
                return;
            case "AT+CGATT=":
                Final(at, RegistrationStat() is 1 or 5 ? "OK" : "ERROR");
                return;
            case "AT+CCID":
                Info(at, Iccid); // SIM7080: the digits on a line of their own
                return;
            case "AT+CSQ":
                Info(at, RegistrationStat() is 1 or 5 ? "+CSQ: 20,99" : "+CSQ: 99,99");
                return;
            case "AT+COPS?":
                Info(at, RegistrationStat() is 1 or 5 ? $"+COPS: 0,0,\"CHINA MOBILE\",{AccessTech}" : "+COPS: 0");
                return;
            case "AT+CPSI?":
                // SIM7080: <System Mode>,<Operation Mode>,<MCC>-<MNC>,<TAC>,<SCellID>,<PCellID>,<Band>,<earfcn>,<dlbw>,<ulbw>,<RSRQ>,<RSRP dBm>,<RSSI>,<RSSNR>.
                Info(at, Behaviour.Kind == ModemKind.SimcomSm
                    ? "+CPSI: LTE NB-IOT,Online,460-00,0x1816,27447553,434,EUTRAN-BAND8,3734,0,0,-10,-94,-65,12"
                    : "+CPSI: LTE,Online,460-00,0x1816,27447553,434,EUTRAN-BAND3,1300,5,5,-94,-924,-635,12");
                return;
            case "AT+QCSQ":
                Info(at, "+QCSQ: \"LTE\",-65,-92,120,-9");
                return;
            case "AT+CICCID":
                Info(at, "+ICCID: " + Iccid);
                return;
            case "AT+QCCID":
                Info(at, "+QCCID: " + Iccid);
                return;
            case "AT+CCLK?":
                var t = Behaviour.NetworkUtc();
                Info(at, $"+CCLK: \"{t:yy/MM/dd,HH:mm:ss}+00\"");
                return;
            case "AT+CCERTLIST":
                foreach (var f in _files.Keys)
                {
                    EmitLine(at, $"+CCERTLIST: \"{f}\"");
                }

                Final(at, "OK");
                return;
            case "AT+CCERTDOWN=":
                Prompt(at, int.Parse(args[1]), d => { _files[args[0]] = d; Final(_clock.Millis + Behaviour.CommandMs, "OK"); });
                return;
            case "AT+QFLST=":
                if (_files.TryGetValue(args[0], out var file))
                {
                    Info(at, $"+QFLST: \"{args[0]}\",{file.Length}");
                }
                else
                {
                    Final(at, "+CME ERROR: 405"); // Quectel FILE AN: file not found
                }

                return;
            case "AT+QFUPL=":
                {
                    var size = int.Parse(args[1]);
                    EmitLine(at, "CONNECT");
                    Expect(size, d =>
                    {
                        _files[args[0]] = d;
                        Info(_clock.Millis + Behaviour.CommandMs, $"+QFUPL: {d.Length},0");
                    });
                    return;
                }
        }

        if (Behaviour.Kind == ModemKind.Simcom)
        {
            HandleSimcom(name, args, at);
        }
        else if (Behaviour.Kind == ModemKind.SimcomSm)
        {
            HandleSimcomSm(name, args, at);
        }
        else
        {
            HandleQuectel(name, args, at);
        }
    }

    // SIM7070/SIM7080/SIM7090 AT Command Manual: application PDP (AT+CNACT), file system (AT+CFS…),
    // MQTT (AT+SMCONF/SMSSL/SMCONN/SMSUB/SMPUB/SMDISC/SMSTATE). SMCONN, SMSUB and SMPUB answer their
    // final result only after the broker's CONNACK, SUBACK and PUBACK.
    private void HandleSimcomSm(string name, string[] args, long at)
    {
        switch (name)
        {
            case "AT+CNACT?":
                Info(at, $"+CNACT: 0,{(_pdp ? 1 : 0)},\"{(_pdp ? "10.64.0.2" : "0.0.0.0")}\"");
                return;
            case "AT+CNACT=":
                if (RegistrationStat() is not (1 or 5))
                {
                    Final(at, "ERROR");
                    return;
                }

                Final(at, "OK");
                _pdp = args[1] == "1";
                EmitLine(at + Behaviour.RoundTripMs, _pdp ? "+APP PDP: 0,ACTIVE" : "+APP PDP: 0,DEACTIVE");
                return;
            case "AT+CFSINIT":
            case "AT+CFSTERM":
                Final(at, "OK");
                return;
            case "AT+CFSWFILE=":
                {
                    var file = args[1];
                    EmitLine(at, "DOWNLOAD");
                    Expect(int.Parse(args[3]), d => { _files[file] = d; Final(_clock.Millis + Behaviour.CommandMs, "OK"); });
                    return;
                }

            case "AT+CFSGFIS=":
                if (_files.TryGetValue(args[1], out var stored))
                {
                    Info(at, $"+CFSGFIS: {stored.Length}");
                }
                else
                {
                    Final(at, "ERROR");
                }

                return;
            case "AT+SMSSL=":
                _smTls = args[0] != "0";
                if (_smTls && _files.ContainsKey(args[1]))
                {
                    _caFile = args[1];
                }

                Final(at, "OK");
                return;
            case "AT+SMCONF=":
                _smConf[args[0]] = args.Length > 2 ? args[1] + ":" + args[2] : args[1];
                Final(at, "OK");
                return;
            case "AT+SMCONN":
                {
                    if (!_pdp || !_smConf.TryGetValue("URL", out var url) || !_smConf.TryGetValue("CLIENTID", out var id) || Relay.IsConnected)
                    {
                        Final(at, "ERROR");
                        return;
                    }

                    var colon = url.LastIndexOf(':');
                    var will = _smConf.TryGetValue("MESSAGE", out var w) ? Encoding.UTF8.GetBytes(w) : null;
                    var code = Relay.Connect(url[..colon], int.Parse(url[(colon + 1)..]), _smTls ? Ca() : null, id, _smConf.GetValueOrDefault("USERNAME"), _smConf.GetValueOrDefault("PASSWORD"),
                        int.Parse(_smConf.GetValueOrDefault("KEEPTIME", "60")), _smConf.GetValueOrDefault("TOPIC"), will, _smConf.GetValueOrDefault("RETAIN") == "1");
                    Final(_clock.Millis + Behaviour.RoundTripMs, code == 0 ? "OK" : "ERROR");
                    return;
                }

            case "AT+SMSUB=":
                if (!Relay.IsConnected)
                {
                    Final(at, "ERROR");
                    return;
                }

                Final(_clock.Millis + Behaviour.RoundTripMs, Relay.Subscribe([args[0]]) ? "OK" : "ERROR");
                return;
            case "AT+SMPUB=":
                {
                    var topic = args[0];
                    var retain = args[3] == "1";
                    Prompt(at, int.Parse(args[1]), d =>
                    {
                        if (!Relay.IsConnected)
                        {
                            Final(_clock.Millis + Behaviour.CommandMs, "ERROR");
                            return;
                        }

                        PublishWithFaults(topic, d, retain, ok => ok ? "OK" : "ERROR");
                    });
                    return;
                }

            case "AT+SMDISC":
                if (!Relay.IsConnected)
                {
                    Final(at, "ERROR");
                    return;
                }

                Relay.Disconnect();
                Final(at + Behaviour.RoundTripMs, "OK");
                return;
            case "AT+SMSTATE?":
                Info(at, "+SMSTATE: " + (Relay.IsConnected ? 1 : 0));
                return;
            default:
                Final(at, "ERROR");
                return;
        }
    }

    private void HandleSimcom(string name, string[] args, long at)
    {
        switch (name)
        {
            case "AT+CMQTTSTART":
                if (_mqttStarted)
                {
                    EmitLine(at, "+CMQTTSTART: 23");
                    Final(at, "ERROR");
                    return;
                }

                if (RegistrationStat() is not (1 or 5))
                {
                    Final(at, "OK");
                    EmitLine(at + Behaviour.RoundTripMs, "+CMQTTSTART: 7"); // network open fail
                    return;
                }

                _mqttStarted = true;
                Final(at, "OK");
                EmitLine(at + Behaviour.RoundTripMs, "+CMQTTSTART: 0");
                return;
            case "AT+CMQTTACCQ=":
                if (_clientId is not null)
                {
                    EmitLine(at, "+CMQTTACCQ: 0,19");
                    Final(at, "ERROR");
                    return;
                }

                _clientId = args[1];
                Final(at, "OK");
                return;
            case "AT+CMQTTWILLTOPIC=":
                Prompt(at, int.Parse(args[1]), d => { _willTopic = Encoding.UTF8.GetString(d); Final(_clock.Millis + Behaviour.CommandMs, "OK"); });
                return;
            case "AT+CMQTTWILLMSG=":
                Prompt(at, int.Parse(args[1]), d => { _will = d; _willRetain = false; Final(_clock.Millis + Behaviour.CommandMs, "OK"); });
                return;
            case "AT+CMQTTCONNECT=":
                {
                    if (!_mqttStarted || _clientId is null)
                    {
                        Final(at, "ERROR");
                        return;
                    }

                    var uri = new Uri(args[1]);
                    Final(at, "OK");
                    var code = Relay.Connect(uri.Host, uri.Port, uri.Scheme == "ssl" ? Ca() : null, _clientId, Arg(args, 4), Arg(args, 5), int.Parse(args[2]), _willTopic, _will, _willRetain);

                    // 0 accepted; CONNACK refusals 1–5 map to err 27–31; no connection: 3 (sock connect fail) or 32 (handshake fail).
                    var err = code == 0 ? 0 : code > 0 ? ConnackToSimcom(code) : uri.Scheme == "ssl" ? 32 : 3;
                    EmitLine(_clock.Millis + Behaviour.RoundTripMs, $"+CMQTTCONNECT: 0,{err}");
                    return;
                }

            case "AT+CMQTTSUBTOPIC=":
                Prompt(at, int.Parse(args[1]), d => { _subTopics.Add(Encoding.UTF8.GetString(d)); Final(_clock.Millis + Behaviour.CommandMs, "OK"); });
                return;
            case "AT+CMQTTSUB=":
                {
                    Final(at, "OK");
                    var ok = Relay.Subscribe(_subTopics);
                    _subTopics.Clear();
                    EmitLine(_clock.Millis + Behaviour.RoundTripMs, ok ? "+CMQTTSUB: 0,0" : "+CMQTTSUB: 0,11");
                    return;
                }

            case "AT+CMQTTTOPIC=":
                Prompt(at, int.Parse(args[1]), d => { _pubTopic = Encoding.UTF8.GetString(d); Final(_clock.Millis + Behaviour.CommandMs, "OK"); });
                return;
            case "AT+CMQTTPAYLOAD=":
                Prompt(at, int.Parse(args[1]), d => { _pubPayload = d; Final(_clock.Millis + Behaviour.CommandMs, "OK"); });
                return;
            case "AT+CMQTTPUB=":
                if (!Relay.IsConnected || _pubTopic is null || _pubPayload is null)
                {
                    EmitLine(at, "+CMQTTPUB: 0,11"); // no connection
                    Final(at, "ERROR");
                    return;
                }

                Final(at, "OK");
                PublishWithFaults(_pubTopic, _pubPayload, args[3] == "1", ok => ok ? "+CMQTTPUB: 0,0" : "+CMQTTPUB: 0,17");
                return;
            case "AT+CMQTTDISC=":
                Final(at, "OK");
                Relay.Disconnect();
                EmitLine(at + Behaviour.RoundTripMs, "+CMQTTDISC: 0,0");
                return;
            case "AT+CMQTTREL=":
                _clientId = null;
                Final(at, "OK");
                return;
            case "AT+CMQTTSTOP":
                _mqttStarted = false;
                Final(at, "OK");
                EmitLine(at, "+CMQTTSTOP: 0");
                return;
            default:
                Final(at, "ERROR");
                return;
        }
    }

    private void HandleQuectel(string name, string[] args, long at)
    {
        switch (name)
        {
            case "AT+QMTOPEN=":
                Final(at, "OK");
                if (RegistrationStat() is not (1 or 5))
                {
                    EmitLine(at + Behaviour.RoundTripMs, "+QMTOPEN: 0,3"); // PDP activation failed
                    return;
                }

                _qHost = args[1];
                _qPort = int.Parse(args[2]);
                EmitLine(at + Behaviour.RoundTripMs, "+QMTOPEN: 0,0");
                return;
            case "AT+QMTCONN=":
                {
                    if (_qHost is null)
                    {
                        Final(at, "ERROR");
                        return;
                    }

                    Final(at, "OK");
                    var code = Relay.Connect(_qHost, _qPort, _quectelTls ? Ca() : null, args[1], Arg(args, 2), Arg(args, 3), 60, null, null, false);

                    // CONNACK refusals as ret_code 1–5; no connection (TCP or TLS): result 2.
                    EmitLine(_clock.Millis + Behaviour.RoundTripMs, code == 0 ? "+QMTCONN: 0,0,0" : code > 0 ? "+QMTCONN: 0,0,5" : "+QMTCONN: 0,2");
                    return;
                }

            case "AT+QMTSUB=":
                {
                    var topics = new List<string>();
                    for (var i = 2; i + 1 < args.Length; i += 2)
                    {
                        topics.Add(args[i]);
                    }

                    Final(at, "OK");
                    var ok = Relay.Subscribe(topics);
                    EmitLine(_clock.Millis + Behaviour.RoundTripMs, ok ? $"+QMTSUB: 0,{args[1]},0,1" : $"+QMTSUB: 0,{args[1]},2");
                    return;
                }

            case "AT+QMTPUB=":
                {
                    var id = args[1];
                    var retain = args[3] == "1";
                    var topic = args[4];
                    Prompt(at, int.Parse(args[5]), d =>
                    {
                        if (!Relay.IsConnected)
                        {
                            Final(_clock.Millis + Behaviour.CommandMs, "ERROR");
                            return;
                        }

                        Final(_clock.Millis + Behaviour.CommandMs, "OK");
                        PublishWithFaults(topic, d, retain, ok => ok ? $"+QMTPUB: 0,{id},0" : $"+QMTPUB: 0,{id},2");
                    });
                    return;
                }

            case "AT+QMTDISC=":
                Final(at, "OK");
                Relay.Disconnect();
                EmitLine(at + Behaviour.RoundTripMs, "+QMTDISC: 0,0");
                return;
            case "AT+QMTCLOSE=":
                _qHost = null;
                Final(at, "OK");
                EmitLine(at, "+QMTCLOSE: 0,0");
                return;
            default:
                Final(at, "ERROR");
                return;
        }
    }

    // The CA named by the SSL context; an empty store when none was set (every server then fails the check).
    private X509Certificate2 Ca() =>
        _caFile is not null && _files.TryGetValue(_caFile, out var pem)
            ? X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(pem))
            : X509CertificateLoader.LoadCertificate([]);

    private void PublishWithFaults(string topic, byte[] payload, bool retain, Func<bool, string> urc)
    {
        Publishes++;
        var counted = Behaviour.FaultTopic is null || topic.Contains(Behaviour.FaultTopic, StringComparison.Ordinal);
        var n = counted ? ++FaultPublishes : 0;
        var now = _clock.Millis;
        if (Behaviour.GarbageAt.Contains(n))
        {
            Count(Faults.Garbage);
            Emit(now, [0x00, 0xFF, (byte)'+', (byte)'C', 0x80, 0x0D, 0xFE, (byte)'O', (byte)'K', 0x13, 0xE5]);
        }

        if (Behaviour.SignalLossAt.Contains(n))
        {
            Count(Faults.SignalLoss);
            _lostRegistration = true;
            Relay.Drop();
            EmitLine(now + Behaviour.RoundTripMs, Behaviour.Kind switch { ModemKind.Simcom => "+CMQTTNONET", ModemKind.SimcomSm => "+SMSTATE: 0", _ => "+QMTSTAT: 0,7" });
            if (Behaviour.Kind == ModemKind.SimcomSm)
            {
                Final(now + Behaviour.RoundTripMs, "ERROR"); // the AT+SMPUB waiting for its PUBACK fails with the connection
            }

            return;
        }

        if (Behaviour.BrokerClosesAt.Contains(n))
        {
            Count(Faults.BrokerClosed);
            Relay.Drop();
            EmitLine(now + Behaviour.RoundTripMs, Behaviour.Kind switch { ModemKind.Simcom => "+CMQTTCONNLOST: 0,1", ModemKind.SimcomSm => "+SMSTATE: 0", _ => "+QMTSTAT: 0,1" });
            if (Behaviour.Kind == ModemKind.SimcomSm)
            {
                Final(now + Behaviour.RoundTripMs, "ERROR");
            }

            return;
        }

        var acked = Relay.Publish(topic, payload, retain);
        if (Behaviour.HangAt.Contains(n))
        {
            Count(Faults.Hang);
            _hung = true;
            Relay.Drop();
            lock (_lock)
            {
                _out.Clear();
            }

            return;
        }

        if (Behaviour.ResetAt.Contains(n))
        {
            Count(Faults.Reset);
            // Delivered to the broker, but the modem restarts before it reports the PUBACK.
            Relay.Drop();
            _mqttStarted = false;
            _clientId = null;
            _pdp = false;
            lock (_lock)
            {
                _out.Clear();
            }

            _readyAt = _clock.Millis + Behaviour.BootMs;
            _registeredAt = _readyAt + Behaviour.RegistrationMs;
            _echo = Behaviour.EchoAtBoot;
            EmitLine(_readyAt, Behaviour.Kind == ModemKind.Simcom ? "*ATREADY: 1" : "RDY");
            return;
        }

        if (Behaviour.PubAckNever.Contains(n))
        {
            Count(Faults.PubAckLost);
            return;
        }

        EmitLine(_clock.Millis + Behaviour.RoundTripMs + Behaviour.PubAckDelayMs, urc(acked));
    }

    private void OnBrokerMessage(string topic, byte[] payload)
    {
        var now = _clock.Millis;
        if (Behaviour.Kind == ModemKind.Simcom)
        {
            var t = Encoding.UTF8.GetBytes(topic);
            EmitLine(now, $"+CMQTTRXSTART: 0,{t.Length},{payload.Length}");
            EmitLine(now, $"+CMQTTRXTOPIC: 0,{t.Length}");
            Emit(now, [.. t, 13, 10]);
            EmitLine(now, $"+CMQTTRXPAYLOAD: 0,{payload.Length}");
            Emit(now, [.. payload, 13, 10]);
            EmitLine(now, "+CMQTTRXEND: 0");
        }
        else if (Behaviour.Kind == ModemKind.SimcomSm)
        {
            var head = Encoding.ASCII.GetBytes($"\r\n+SMSUB: \"{topic}\",\"");
            Emit(now, [.. head, .. payload, (byte)'"', 13, 10]);
        }
        else
        {
            var head = Encoding.ASCII.GetBytes($"\r\n+QMTRECV: 0,1,\"{topic}\",{payload.Length},\"");
            Emit(now, [.. head, .. payload, (byte)'"', 13, 10]);
        }
    }

    // +CEREG: <n>,<stat>[,<tac>,<ci>,<AcT>[,<cause_type>,<reject_cause>[,<Active-Time>,<Periodic-TAU>]]] (27.007 §10.1.22):
    // with n = 4 a registered module adds the cell and, when the network granted PSM, the two timers.
    private string Cereg()
    {
        var stat = RegistrationStat();
        if (_ceregMode < 2 || stat is not (1 or 5))
        {
            return $"+CEREG: {_ceregMode},{stat}";
        }

        var cell = $"+CEREG: {_ceregMode},{stat},\"1816\",\"01A2D001\",{AccessTech}";
        var active = GrantedActiveSec() >= 0 ? _psmActive : null;
        return _ceregMode >= 4 && active is not null ? $"{cell},,,\"{active}\",\"{Behaviour.PsmGrantedTau ?? _psmTau}\"" : cell;
    }

    private int GrantedActiveSec() =>
        _psmActive is null || _psmTau is null || Behaviour.PsmDenied ? -1 : PsmTimer.DecodeActive(_psmActive);

    private int AccessTech => Behaviour.Kind == ModemKind.SimcomSm ? 9 : 7; // 27.007 §7.3: 9 = E-UTRAN NB-S1

    private int RegistrationStat()
    {
        if (Behaviour.RegistrationDenied)
        {
            Count(Faults.RegistrationDenied);
            return 3;
        }

        if (Behaviour.NoNetwork || _lostRegistration || Behaviour.NoSim)
        {
            Count(Behaviour.NoNetwork ? Faults.NoRegistration : Faults.None);
            return 2;
        }

        return _clock.Millis >= _registeredAt ? 1 : 2;
    }

    // ERROR to the first sending of each command (by name).
    private bool Sweep(string line) =>
        Behaviour.ErrorSweep && line.StartsWith("AT", StringComparison.Ordinal) && Errored.Add(CommandName(line));

    private void Count(string fault)
    {
        if (fault.Length > 0)
        {
            Fired[fault] = Fired.GetValueOrDefault(fault) + 1;
        }
    }

    private static int ConnackToSimcom(int mqttnetCode) => mqttnetCode switch
    {
        132 or 1 => 27, // unacceptable protocol version
        133 or 2 => 28, // identifier rejected
        136 or 3 => 29, // server unavailable
        134 or 4 => 30, // bad user name or password
        _ => 31, // not authorized
    };

    private static string? Arg(string[] args, int i) => i < args.Length ? args[i] : null;

    // "AT+NAME=a,"b",c" → ("AT+NAME=", ["a", "b", "c"]); other lines → (line, []).
    private static (string Name, string[] Args) Split(string line)
    {
        var eq = line.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            return (line, []);
        }

        var args = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        foreach (var c in line[(eq + 1)..])
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                args.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }

        args.Add(sb.ToString());
        return (line[..(eq + 1)], args.ToArray());
    }

    private void Prompt(long at, int size, Action<byte[]> done)
    {
        Emit(at, Encoding.ASCII.GetBytes("\r\n>"));
        Expect(size, done);
    }

    private void Expect(int size, Action<byte[]> done)
    {
        _data = new byte[size];
        _dataUsed = 0;
        _onData = done;
        if (size == 0)
        {
            _data = null;
            done([]);
        }
    }

    private void Info(long at, string line)
    {
        EmitLine(at, line);
        Final(at, "OK");
    }

    private void Final(long at, string result) => EmitLine(at, result);

    private void EmitLine(long at, string line) => EmitRaw(at, "\r\n" + line + "\r\n");

    private void EmitRaw(long at, string text) => Emit(at, Encoding.ASCII.GetBytes(text));

    private void Emit(long at, byte[] bytes)
    {
        lock (_lock)
        {
            // Keep the order of the wire: nothing may overtake what was queued before it.
            var last = _out.Count > 0 ? _out[^1].Due : long.MinValue;
            _out.Add((Math.Max(at, last), bytes));
        }
    }
}

