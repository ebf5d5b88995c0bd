using IoTMonitor.Firmware.Core.Cellular.At;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// MQTT over Quectel's <c>AT+QMT…</c> commands. Sources: Quectel "LTE Standard MQTT Application
    /// Note" V1.2 (2020-04-22; EC2x/EG9x/EC200x/EC800N family), "BG95&amp;BG77&amp;BG600L Series MQTT
    /// Application Note" V1.1 (2020-05-28), same command set; "LTE Standard SSL Application Note" and
    /// "LTE Standard FILE Application Note" for AT+QSSLCFG and AT+QFUPL/AT+QFLST.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>AT+QMTCFG="version",0,4 (MQTT 3.1.1), "keepalive",0,&lt;s&gt;, "session",0,0 (clean session 0 = persistent),
    /// "will",0,1,1,1,"topic","msg" (will flag, QoS 1, retained), "recv/mode",0,0,1 (payload in the URC with its length),
    /// "ssl",0,1,&lt;ctx&gt; (TLS on SSL context ctx).</item>
    /// <item>AT+QMTOPEN=0,"host",port → OK, then <c>+QMTOPEN: 0,&lt;result&gt;</c> (0 opened; -1 failed; 1 bad
    /// parameter; 2 identifier occupied; 3 PDP activation failed; 4 DNS failed; 5 connection error).</item>
    /// <item>AT+QMTCONN=0,"clientID","user","pass" → OK, then <c>+QMTCONN: 0,&lt;result&gt;[,&lt;ret_code&gt;]</c>
    /// (result 0 = CONNACK received; ret_code 0 accepted, 1–5 CONNACK refusals).</item>
    /// <item>AT+QMTSUB=0,&lt;msgID&gt;,"topic",1[,"topic",1…] → <c>+QMTSUB: 0,&lt;msgID&gt;,&lt;result&gt;[,&lt;value&gt;]</c>.</item>
    /// <item>AT+QMTPUB=0,&lt;msgID&gt;,1,&lt;retain&gt;,"topic",&lt;len&gt; → <c>&gt;</c>, the bytes, OK; then
    /// <c>+QMTPUB: 0,&lt;msgID&gt;,&lt;result&gt;[,&lt;value&gt;]</c>: result 0 = PUBACK received, 1 = retransmitting
    /// (value = count), 2 = failed. Only 0 for this msgID releases the message.</item>
    /// <item>URCs: <c>+QMTSTAT: 0,&lt;err&gt;</c> (1 closed by peer, 2 PINGREQ timeout, 3/4 CONNECT/CONNACK
    /// failure, 5 server disconnect, 6 client-side failure, 7 link not alive, 8 client closed);
    /// <c>+QMTRECV: 0,&lt;msgID&gt;,"topic",&lt;len&gt;,"payload"</c>.</item>
    /// <item>Signal: AT+QCSQ → <c>+QCSQ: "LTE"|"eMTC"|"NBIoT",&lt;rssi&gt;,&lt;rsrp&gt;,&lt;sinr&gt;,&lt;rsrq&gt;</c> (Quectel
    /// "LTE Standard AT Commands Manual"); ICCID: AT+QCCID → <c>+QCCID: &lt;iccid&gt;</c>.</item>
    /// </list>
    /// </remarks>
    public sealed class QuectelMqtt : IModemMqtt
    {
        private const int CommandMs = 5000;
        private const int SslContext = 2;

        private readonly ModemInbox _inbox;
        private int _openResult = int.MinValue;
        private int _connResult = int.MinValue;
        private int _connCode = -1;
        private int _subResult = int.MinValue;
        private int _pubResult = int.MinValue;
        private int _pubId = -1;
        private int _msgId;
        private bool _connected;

        /// <summary>Client on <paramref name="inbox"/>.</summary>
        public QuectelMqtt(ModemInbox inbox)
        {
            _inbox = inbox;
        }

        /// <inheritdoc />
        public string IccidCommand
        {
            get { return "AT+QCCID"; }
        }

        /// <inheritdoc />
        public string IccidPrefix
        {
            get { return "+QCCID:"; }
        }

        /// <inheritdoc />
        public bool Connected
        {
            get { return _connected; }
        }

        /// <summary>Last +QMTSTAT error code (0 none), for diagnostics.</summary>
        public int LastStat { get; private set; }

        /// <inheritdoc />
        public int ReadRsrp(AtEngine at)
        {
            if (at.Command("AT+QCSQ", "+QCSQ:", CommandMs) != AtResult.Ok || at.InfoCount == 0)
            {
                return 0;
            }

            string mode = at.InfoText(0, 0);
            bool lte = mode == "LTE" || mode == "eMTC" || mode == "NBIoT";
            int rsrp = at.InfoInt(0, 2, 0);
            return lte && rsrp < 0 ? rsrp : 0;
        }

        /// <inheritdoc />
        public LinkStatus ConfigureTls(AtEngine at, byte[] caCertificate, long deadline)
        {
            if (caCertificate == null || caCertificate.Length == 0)
            {
                return LinkStatus.BrokerUnreachable;
            }

            string name = "UFS:" + CertificateName.For(caCertificate);
            bool present = false;
            at.Begin("AT+QFLST=").Quoted(name);
            if (at.Run("+QFLST:", CommandMs) == AtResult.Ok)
            {
                present = at.InfoCount > 0 && at.InfoInt(0, 1, -1) == caCertificate.Length;
            }

            if (!present)
            {
                at.Begin("AT+QFUPL=").Quoted(name).Text(",").Int(caCertificate.Length).Text(",10");
                if (at.RunWithData("+QFUPL:", caCertificate, 0, caCertificate.Length, at.Left(deadline)) != AtResult.Ok)
                {
                    return LinkStatus.BrokerUnreachable;
                }
            }

            at.Begin("AT+QSSLCFG=\"sslversion\",").Int(SslContext).Text(",3"); // 3 = TLS 1.2
            if (at.Run(null, CommandMs) != AtResult.Ok)
            {
                return LinkStatus.BrokerUnreachable;
            }

            at.Begin("AT+QSSLCFG=\"seclevel\",").Int(SslContext).Text(",1"); // 1 = verify the server against the CA
            if (at.Run(null, CommandMs) != AtResult.Ok)
            {
                return LinkStatus.BrokerUnreachable;
            }

            at.Begin("AT+QSSLCFG=\"cacert\",").Int(SslContext).Text(",").Quoted(name);
            if (at.Run(null, CommandMs) != AtResult.Ok)
            {
                return LinkStatus.BrokerUnreachable;
            }

            at.Begin("AT+QMTCFG=\"ssl\",0,1,").Int(SslContext);
            return at.Run(null, CommandMs) == AtResult.Ok ? LinkStatus.Ok : LinkStatus.BrokerUnreachable;
        }

        /// <inheritdoc />
        public LinkStatus Connect(AtEngine at, LinkSettings s, long deadline)
        {
            _connected = false;
            if (!s.Tls)
            {
                at.Command("AT+QMTCFG=\"ssl\",0,0", null, CommandMs);
            }

            if (at.Command("AT+QMTCFG=\"version\",0,4", null, CommandMs) != AtResult.Ok
                || at.Begin("AT+QMTCFG=\"keepalive\",0,").Int(s.KeepAliveSec).Run(null, CommandMs) != AtResult.Ok
                || at.Command("AT+QMTCFG=\"session\",0,0", null, CommandMs) != AtResult.Ok
                || at.Command("AT+QMTCFG=\"recv/mode\",0,0,1", null, CommandMs) != AtResult.Ok)
            {
                return LinkStatus.BrokerUnreachable;
            }

            // The will's text sits inside quotes on the AT+QMTCFG="will" line, which has no escape for
            // '"': a will that holds one (the node's JSON status does) cannot be set this way and the
            // connection goes without it (the gateway then sees a silent node, not a "lost" status).
            if (s.WillTopic != null && s.WillPayload != null && AtLine.Quotable(s.WillPayload))
            {
                at.Begin("AT+QMTCFG=\"will\",0,1,1,1,").Quoted(s.WillTopic).Text(",").Quoted(Utf8.GetString(s.WillPayload, 0, s.WillPayload.Length));
                if (at.Run(null, CommandMs) != AtResult.Ok)
                {
                    return LinkStatus.BrokerUnreachable;
                }
            }
            else
            {
                at.Command("AT+QMTCFG=\"will\",0,0", null, CommandMs);
            }

            _openResult = int.MinValue;
            at.Begin("AT+QMTOPEN=0,").Quoted(s.Host).Text(",").Int(s.Port);
            AtResult r = at.Run("+QMTOPEN:", at.Left(deadline));
            if (at.InfoCount > 0)
            {
                _openResult = at.InfoInt(0, 1, -1);
            }

            if (r != AtResult.Ok && _openResult == int.MinValue)
            {
                return LinkStatus.BrokerUnreachable;
            }

            if (_openResult == int.MinValue && !WaitFor(at, ref _openResult, deadline))
            {
                return LinkStatus.Timeout;
            }

            if (_openResult != 0 && _openResult != 2)
            {
                return LinkStatus.BrokerUnreachable; // 2: already open from an earlier wake
            }

            _connResult = int.MinValue;
            _connCode = -1;
            at.Begin("AT+QMTCONN=0,").Quoted(s.ClientId);
            if (s.User != null && s.User.Length > 0)
            {
                at.Text(",").Quoted(s.User).Text(",").Quoted(s.Password);
            }

            r = at.Run("+QMTCONN:", at.Left(deadline));
            if (at.InfoCount > 0)
            {
                _connResult = at.InfoInt(0, 1, -1);
                _connCode = at.InfoInt(0, 2, -1);
            }

            if (r != AtResult.Ok && _connResult == int.MinValue)
            {
                return LinkStatus.BrokerUnreachable;
            }

            if (_connResult == int.MinValue && !WaitFor(at, ref _connResult, deadline))
            {
                return LinkStatus.Timeout;
            }

            if (_connResult == 0 && _connCode <= 0)
            {
                _connected = true;
                return LinkStatus.Ok;
            }

            return _connCode > 0 ? LinkStatus.Refused : LinkStatus.BrokerUnreachable;
        }

        /// <inheritdoc />
        public LinkStatus Subscribe(AtEngine at, string[] topics, long deadline)
        {
            int id = NextId();
            at.Begin("AT+QMTSUB=0,").Int(id);
            for (int i = 0; i < topics.Length; i++)
            {
                at.Text(",").Quoted(topics[i]).Text(",1");
            }

            _subResult = int.MinValue;
            AtResult r = at.Run("+QMTSUB:", at.Left(deadline));
            if (at.InfoCount > 0 && at.InfoInt(0, 1, -1) == id)
            {
                _subResult = at.InfoInt(0, 2, -1);
            }

            if (r != AtResult.Ok && _subResult == int.MinValue)
            {
                return LinkStatus.Disconnected;
            }

            if (_subResult == int.MinValue && !WaitFor(at, ref _subResult, deadline))
            {
                return LinkStatus.Timeout;
            }

            return _subResult == 0 ? LinkStatus.Ok : LinkStatus.Disconnected;
        }

        /// <inheritdoc />
        public LinkStatus Publish(AtEngine at, string topic, byte[] payload, int offset, int count, bool retain, long deadline)
        {
            if (!_connected)
            {
                return LinkStatus.Disconnected;
            }

            _pubId = NextId();
            _pubResult = int.MinValue;
            at.Begin("AT+QMTPUB=0,").Int(_pubId).Text(retain ? ",1,1," : ",1,0,").Quoted(topic).Text(",").Int(count);
            AtResult r = at.RunWithData("+QMTPUB:", payload, offset, count, at.Left(deadline));
            if (at.InfoCount > 0 && at.InfoInt(0, 1, -1) == _pubId)
            {
                _pubResult = at.InfoInt(0, 2, -1);
            }

            if (r != AtResult.Ok && _pubResult == int.MinValue)
            {
                return _connected ? LinkStatus.Timeout : LinkStatus.Disconnected;
            }

            // result 1 (retransmitting) is progress, not an outcome: keep waiting for 0 or 2.
            while (_pubResult == int.MinValue || _pubResult == 1)
            {
                if (_pubResult == 1)
                {
                    _pubResult = int.MinValue;
                }

                if (!_connected || !at.Service(deadline))
                {
                    return _connected ? LinkStatus.Timeout : LinkStatus.Disconnected;
                }
            }

            _pubId = -1;
            return _pubResult == 0 ? LinkStatus.Ok : (_connected ? LinkStatus.Timeout : LinkStatus.Disconnected);
        }

        /// <inheritdoc />
        public void Close(AtEngine at, long deadline)
        {
            if (_connected)
            {
                at.Command("AT+QMTDISC=0", "+QMTDISC:", at.Left(deadline) < CommandMs ? at.Left(deadline) : CommandMs);
            }

            _connected = false;
            at.Command("AT+QMTCLOSE=0", "+QMTCLOSE:", CommandMs);
        }

        /// <inheritdoc />
        public bool OnUrc(byte[] line, int length, out int rawFollowing)
        {
            rawFollowing = 0;
            if (!AtLine.StartsWith(line, 0, length, "+QMT"))
            {
                return false;
            }

            if (AtLine.StartsWith(line, 0, length, "+QMTPUB:"))
            {
                if (AtLine.Int(line, 0, length, 1, -1) == _pubId)
                {
                    _pubResult = AtLine.Int(line, 0, length, 2, 2);
                }
            }
            else if (AtLine.StartsWith(line, 0, length, "+QMTRECV:"))
            {
                Received(line, length);
            }
            else if (AtLine.StartsWith(line, 0, length, "+QMTSTAT:"))
            {
                LastStat = AtLine.Int(line, 0, length, 1, -1);
                _connected = false;
            }
            else if (AtLine.StartsWith(line, 0, length, "+QMTOPEN:"))
            {
                _openResult = AtLine.Int(line, 0, length, 1, -1);
            }
            else if (AtLine.StartsWith(line, 0, length, "+QMTCONN:"))
            {
                _connCode = AtLine.Int(line, 0, length, 2, -1);
                _connResult = AtLine.Int(line, 0, length, 1, -1);
            }
            else if (AtLine.StartsWith(line, 0, length, "+QMTSUB:"))
            {
                _subResult = AtLine.Int(line, 0, length, 2, -1);
            }

            return true;
        }

        /// <inheritdoc />
        public void OnRaw(byte[] data, int offset, int count)
        {
        }

        /// <inheritdoc />
        public void Reset()
        {
            _connected = false;
        }

        // +QMTRECV: 0,<msgID>,"<topic>",<len>,"<payload>": the payload is the <len> bytes after the
        // quote that opens field 4 (it may itself hold quotes and commas, so the length is what counts).
        private void Received(byte[] line, int length)
        {
            string topic = AtLine.Text(line, 0, length, 2);
            int len = AtLine.Int(line, 0, length, 3, -1);
            int start;
            int end;
            if (topic == null || len < 0 || !AtLine.Field(line, 0, length, 4, out start, out end) || start >= length || line[start] != '"')
            {
                return;
            }

            _inbox.Begin(topic);
            int available = length - start - 1;
            _inbox.Append(line, start + 1, len < available ? len : available);
            if (len > available - 1)
            {
                // Cut by the engine's line limit or a CR/LF inside the payload: marked too long.
                _inbox.MarkTruncated();
            }

            _inbox.Complete();
        }

        private int NextId()
        {
            _msgId = _msgId >= 65535 ? 1 : _msgId + 1; // 1–65535: 0 is for QoS 0 only
            return _msgId;
        }

        private static bool WaitFor(AtEngine at, ref int code, long deadline)
        {
            while (code == int.MinValue)
            {
                if (!at.Service(deadline))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
