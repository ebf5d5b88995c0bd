using IoTMonitor.Firmware.Core.Cellular.At;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// MQTT over SIMCom's <c>AT+CMQTT…</c> commands. Source: SIMCom "A76XX Series_AT Command Manual"
    /// V1.11 (2023-12-07), chapter "AT Commands for MQTT(S)", which the SIM7500/SIM7600 family shares
    /// ("SIM7500_SIM7600 Series_MQTT_ATC" V1.01 and "SIM7600 Series MQTT(S) Application Note").
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>AT+CMQTTSTART → OK, then <c>+CMQTTSTART: &lt;err&gt;</c> (0 = started; 23 "network is
    /// opened" = already running). Max response time 120 s.</item>
    /// <item>AT+CMQTTACCQ=0,"&lt;clientID&gt;",&lt;server_type&gt; (0 TCP, 1 SSL/TLS): one client, index 0.</item>
    /// <item>AT+CMQTTWILLTOPIC / AT+CMQTTWILLMSG=0,&lt;len&gt;,&lt;qos&gt;: prompt, then the bytes.</item>
    /// <item>AT+CMQTTCONNECT=0,"tcp://host:port",&lt;keepalive&gt;,&lt;clean_session&gt;,"user","pass" → OK,
    /// then <c>+CMQTTCONNECT: 0,&lt;err&gt;</c> (0 = CONNACK accepted; 27–31 = CONNACK refusals).</item>
    /// <item>AT+CMQTTSUBTOPIC=0,&lt;len&gt;,&lt;qos&gt; per topic, then AT+CMQTTSUB=0 → <c>+CMQTTSUB: 0,&lt;err&gt;</c> (SUBACK).</item>
    /// <item>AT+CMQTTTOPIC=0,&lt;len&gt;, AT+CMQTTPAYLOAD=0,&lt;len&gt;, AT+CMQTTPUB=0,1,&lt;pub_timeout s&gt;,&lt;retained&gt; → OK,
    /// then <c>+CMQTTPUB: 0,&lt;err&gt;</c>: 0 only after the PUBACK of a QoS 1 message.</item>
    /// <item>URCs: <c>+CMQTTCONNLOST: 0,&lt;cause&gt;</c>, <c>+CMQTTNONET</c>, and a received message as
    /// <c>+CMQTTRXSTART: 0,&lt;topic_len&gt;,&lt;payload_len&gt;</c>, <c>+CMQTTRXTOPIC: 0,&lt;n&gt;</c> + n bytes,
    /// <c>+CMQTTRXPAYLOAD: 0,&lt;n&gt;</c> + n bytes (repeated for long ones), <c>+CMQTTRXEND: 0</c>.</item>
    /// <item>TLS: AT+CCERTDOWN="name",&lt;len&gt; (prompt, PEM bytes), AT+CCERTLIST, AT+CSSLCFG="sslversion"/"authmode"/"cacert",
    /// AT+CMQTTSSLCFG=0,&lt;ssl_ctx&gt; (manual chapters "AT Commands for SSL" and "MQTT(S)"). authmode 1 = server authentication.</item>
    /// <item>Signal: AT+CPSI? → <c>+CPSI: LTE,Online,…,&lt;RSRQ&gt;,&lt;RSRP&gt;,&lt;RSSI&gt;,&lt;RSSNR&gt;</c>, RSRP in 0.1 dBm (field 11).</item>
    /// <item>ICCID: AT+CICCID → <c>+ICCID: &lt;iccid&gt;</c>.</item>
    /// </list>
    /// </remarks>
    public sealed class SimcomMqtt : IModemMqtt
    {
        /// <summary>The PUBACK wait the modem applies to one AT+CMQTTPUB, s (the manual's range is 60–180).</summary>
        public const int PubTimeoutSec = 60;

        /// <summary>AT+CMQTTSTART's maximum response time, ms (manual).</summary>
        public const int StartMaxMs = 120000;

        private const int CommandMs = 5000;
        private const int SslContext = 0;

        private readonly ModemInbox _inbox;
        private readonly byte[] _topicBytes = new byte[ProtocolTopicMax];
        private int _startErr = -1;
        private int _connectErr = -1;
        private int _subErr = -1;
        private int _pubErr = -1;
        private int _discErr = -1;
        private bool _connected;
        private int _rxState; // 0 none, 1 topic bytes, 2 payload bytes
        private int _rxTopicLength;
        private string _caName;

        private const int ProtocolTopicMax = 128;

        /// <summary>Client on <paramref name="inbox"/>.</summary>
        public SimcomMqtt(ModemInbox inbox)
        {
            _inbox = inbox;
        }

        /// <inheritdoc />
        public string IccidCommand
        {
            get { return "AT+CICCID"; }
        }

        /// <inheritdoc />
        public string IccidPrefix
        {
            get { return "+ICCID:"; }
        }

        /// <inheritdoc />
        public bool Connected
        {
            get { return _connected; }
        }

        /// <summary>Last <c>+CMQTTCONNECT</c> error code (-1 none yet), for diagnostics.</summary>
        public int ConnectError
        {
            get { return _connectErr; }
        }

        /// <inheritdoc />
        public int ReadRsrp(AtEngine at)
        {
            if (at.Command("AT+CPSI?", "+CPSI:", CommandMs) != AtResult.Ok || at.InfoCount == 0)
            {
                return 0;
            }

            string mode = at.InfoText(0, 0);
            int tenths = at.InfoInt(0, 11, 0);
            return mode == "LTE" && tenths < 0 ? (tenths - 5) / 10 : 0;
        }

        /// <inheritdoc />
        public LinkStatus ConfigureTls(AtEngine at, byte[] caCertificate, long deadline)
        {
            if (caCertificate == null || caCertificate.Length == 0)
            {
                return LinkStatus.BrokerUnreachable; // TLS without a CA to check the broker against is refused
            }

            _caName = CertificateName.For(caCertificate);

            // The certificate store is in the modem's flash: upload only when this CA is not there yet.
            bool present = false;
            if (at.Command("AT+CCERTLIST", "+CCERTLIST:", CommandMs) == AtResult.Ok)
            {
                for (int i = 0; i < at.InfoCount && !present; i++)
                {
                    present = at.InfoText(i, 0) == _caName;
                }
            }

            if (!present)
            {
                at.Begin("AT+CCERTDOWN=").Quoted(_caName).Text(",").Int(caCertificate.Length);
                if (at.RunWithData(null, caCertificate, 0, caCertificate.Length, at.Left(deadline)) != AtResult.Ok)
                {
                    return Failed(at);
                }
            }

            at.Begin("AT+CSSLCFG=\"sslversion\",").Int(SslContext).Text(",4"); // 4 = all (TLS 1.0–1.2), the broker picks 1.2
            if (at.Run(null, CommandMs) != AtResult.Ok)
            {
                return Failed(at);
            }

            at.Begin("AT+CSSLCFG=\"authmode\",").Int(SslContext).Text(",1"); // 1 = server authentication
            if (at.Run(null, CommandMs) != AtResult.Ok)
            {
                return Failed(at);
            }

            at.Begin("AT+CSSLCFG=\"cacert\",").Int(SslContext).Text(",").Quoted(_caName);
            return at.Run(null, CommandMs) == AtResult.Ok ? LinkStatus.Ok : Failed(at);
        }

        /// <inheritdoc />
        public LinkStatus Connect(AtEngine at, LinkSettings s, long deadline)
        {
            _connected = false;
            _startErr = -1;
            AtResult r = at.Command("AT+CMQTTSTART", "+CMQTTSTART:", at.Left(deadline) < StartMaxMs ? at.Left(deadline) : StartMaxMs);
            if (at.InfoCount > 0)
            {
                _startErr = at.InfoInt(0, 0, -1);
            }

            if (r == AtResult.Ok && _startErr < 0 && !WaitFor(at, ref _startErr, deadline))
            {
                return LinkStatus.Timeout;
            }

            if (_startErr != 0 && _startErr != 23)
            {
                return LinkStatus.BrokerUnreachable; // 7 network open fail, 9 network not opened
            }

            at.Begin("AT+CMQTTACCQ=0,").Quoted(s.ClientId).Text(s.Tls ? ",1" : ",0");
            r = at.Run("+CMQTTACCQ:", CommandMs);
            if (r != AtResult.Ok && at.InfoInt(0, 1, -1) != 19)
            {
                return Failed(at); // 19 = client is used: acquired by an earlier wake, keep it
            }

            if (s.Tls)
            {
                at.Begin("AT+CMQTTSSLCFG=0,").Int(SslContext);
                if (at.Run(null, CommandMs) != AtResult.Ok)
                {
                    return Failed(at);
                }
            }

            if (s.WillTopic != null && s.WillPayload != null)
            {
                if (DataCommand(at, "AT+CMQTTWILLTOPIC=0,", -1, s.WillTopic, null, 0, 0, deadline) != AtResult.Ok)
                {
                    return Failed(at);
                }

                at.Begin("AT+CMQTTWILLMSG=0,").Int(s.WillPayload.Length).Text(",1");
                if (at.RunWithData(null, s.WillPayload, 0, s.WillPayload.Length, at.Left(deadline)) != AtResult.Ok)
                {
                    return Failed(at);
                }
            }

            _connectErr = -1;
            at.Begin("AT+CMQTTCONNECT=0,\"").Text(s.Tls ? "ssl://" : "tcp://").Text(s.Host).Text(":").Int(s.Port).Text("\",")
                .Int(s.KeepAliveSec).Text(",0");
            if (s.User != null && s.User.Length > 0)
            {
                at.Text(",").Quoted(s.User).Text(",").Quoted(s.Password);
            }

            r = at.Run("+CMQTTCONNECT:", at.Left(deadline));
            if (at.InfoCount > 0)
            {
                _connectErr = at.InfoInt(0, 1, -1);
            }

            if (r != AtResult.Ok && _connectErr < 0)
            {
                return Failed(at);
            }

            if (_connectErr < 0 && !WaitFor(at, ref _connectErr, deadline))
            {
                return LinkStatus.Timeout;
            }

            if (_connectErr == 0)
            {
                _connected = true;
                return LinkStatus.Ok;
            }

            // 27–31: the broker answered CONNACK with a refusal; anything else is the way there.
            return _connectErr >= 27 && _connectErr <= 31 ? LinkStatus.Refused : LinkStatus.BrokerUnreachable;
        }

        /// <inheritdoc />
        public LinkStatus Subscribe(AtEngine at, string[] topics, long deadline)
        {
            for (int i = 0; i < topics.Length; i++)
            {
                if (DataCommand(at, "AT+CMQTTSUBTOPIC=0,", 1, topics[i], null, 0, 0, deadline) != AtResult.Ok)
                {
                    return Failed(at);
                }
            }

            _subErr = -1;
            AtResult r = at.Command("AT+CMQTTSUB=0", "+CMQTTSUB:", at.Left(deadline));
            if (at.InfoCount > 0)
            {
                _subErr = at.InfoInt(0, 1, -1);
            }

            if (r != AtResult.Ok && _subErr < 0)
            {
                return Failed(at);
            }

            if (_subErr < 0 && !WaitFor(at, ref _subErr, deadline))
            {
                return LinkStatus.Timeout;
            }

            return _subErr == 0 ? LinkStatus.Ok : LinkStatus.Disconnected;
        }

        /// <inheritdoc />
        public LinkStatus Publish(AtEngine at, string topic, byte[] payload, int offset, int count, bool retain, long deadline)
        {
            if (!_connected)
            {
                return LinkStatus.Disconnected;
            }

            if (DataCommand(at, "AT+CMQTTTOPIC=0,", -1, topic, null, 0, 0, deadline) != AtResult.Ok
                || DataCommand(at, "AT+CMQTTPAYLOAD=0,", -1, null, payload, offset, count, deadline) != AtResult.Ok)
            {
                return _connected ? Failed(at) : LinkStatus.Disconnected;
            }

            _pubErr = -1;
            at.Begin("AT+CMQTTPUB=0,1,").Int(PubTimeoutSec).Text(retain ? ",1" : ",0");
            AtResult r = at.Run("+CMQTTPUB:", at.Left(deadline));
            if (at.InfoCount > 0)
            {
                _pubErr = at.InfoInt(0, 1, -1);
            }

            if (r != AtResult.Ok && _pubErr < 0)
            {
                return _connected ? Failed(at) : LinkStatus.Disconnected;
            }

            // Only one publish is in flight, so the next +CMQTTPUB is this message's outcome.
            if (_pubErr < 0 && !WaitFor(at, ref _pubErr, deadline))
            {
                return _connected ? LinkStatus.Timeout : LinkStatus.Disconnected;
            }

            if (_pubErr == 0)
            {
                return LinkStatus.Ok;
            }

            return _connected ? LinkStatus.Timeout : LinkStatus.Disconnected;
        }

        /// <inheritdoc />
        public void Close(AtEngine at, long deadline)
        {
            if (_connected)
            {
                _discErr = -1;
                if (at.Command("AT+CMQTTDISC=0,60", "+CMQTTDISC:", at.Left(deadline)) == AtResult.Ok)
                {
                    WaitFor(at, ref _discErr, deadline);
                }
            }

            _connected = false;
            at.Command("AT+CMQTTREL=0", null, CommandMs);
            at.Command("AT+CMQTTSTOP", "+CMQTTSTOP:", CommandMs);
        }

        /// <inheritdoc />
        public bool OnUrc(byte[] line, int length, out int rawFollowing)
        {
            rawFollowing = 0;
            if (!AtLine.StartsWith(line, 0, length, "+CMQTT"))
            {
                return false;
            }

            if (AtLine.StartsWith(line, 0, length, "+CMQTTPUB:"))
            {
                _pubErr = AtLine.Int(line, 0, length, 1, 1);
            }
            else if (AtLine.StartsWith(line, 0, length, "+CMQTTRXSTART:"))
            {
                _rxState = 0;
            }
            else if (AtLine.StartsWith(line, 0, length, "+CMQTTRXTOPIC:"))
            {
                _rxState = 1;
                _rxTopicLength = 0;
                rawFollowing = AtLine.Int(line, 0, length, 1, 0);
            }
            else if (AtLine.StartsWith(line, 0, length, "+CMQTTRXPAYLOAD:"))
            {
                if (_rxState == 1)
                {
                    _inbox.Begin(Ascii(_topicBytes, _rxTopicLength));
                }

                _rxState = 2;
                rawFollowing = AtLine.Int(line, 0, length, 1, 0);
            }
            else if (AtLine.StartsWith(line, 0, length, "+CMQTTRXEND:"))
            {
                if (_rxState == 1)
                {
                    _inbox.Begin(Ascii(_topicBytes, _rxTopicLength)); // empty payload
                }

                _inbox.Complete();
                _rxState = 0;
            }
            else if (AtLine.StartsWith(line, 0, length, "+CMQTTCONNLOST:") || AtLine.StartsWith(line, 0, length, "+CMQTTNONET"))
            {
                _connected = false;
            }
            else if (AtLine.StartsWith(line, 0, length, "+CMQTTCONNECT:"))
            {
                _connectErr = AtLine.Int(line, 0, length, 1, 1);
            }
            else if (AtLine.StartsWith(line, 0, length, "+CMQTTSUB:"))
            {
                _subErr = AtLine.Int(line, 0, length, 1, 1);
            }
            else if (AtLine.StartsWith(line, 0, length, "+CMQTTSTART:"))
            {
                _startErr = AtLine.Int(line, 0, length, 0, 1);
            }
            else if (AtLine.StartsWith(line, 0, length, "+CMQTTDISC:"))
            {
                _discErr = AtLine.Int(line, 0, length, 1, 1);
            }

            return true;
        }

        /// <inheritdoc />
        public void OnRaw(byte[] data, int offset, int count)
        {
            if (_rxState == 1)
            {
                for (int i = 0; i < count && _rxTopicLength < _topicBytes.Length; i++)
                {
                    _topicBytes[_rxTopicLength++] = data[offset + i];
                }
            }
            else if (_rxState == 2)
            {
                _inbox.Append(data, offset, count);
            }
        }

        /// <inheritdoc />
        public void Reset()
        {
            _connected = false;
            _rxState = 0;
        }

        // A command whose data (topic text or payload bytes) follows the prompt: "<head><len>[,<qos>]".
        private static AtResult DataCommand(AtEngine at, string head, int qos, string text, byte[] data, int offset, int count, long deadline)
        {
            if (text != null)
            {
                data = Utf8.GetBytes(text);
                offset = 0;
                count = data.Length;
            }

            at.Begin(head).Int(count);
            if (qos >= 0)
            {
                at.Text(",").Int(qos);
            }

            return at.RunWithData(null, data, offset, count, at.Left(deadline));
        }

        private static bool WaitFor(AtEngine at, ref int code, long deadline)
        {
            while (code < 0)
            {
                if (!at.Service(deadline))
                {
                    return false;
                }
            }

            return true;
        }

        private LinkStatus Failed(AtEngine at)
        {
            return _connected ? LinkStatus.Timeout : LinkStatus.BrokerUnreachable;
        }

        private static string Ascii(byte[] bytes, int length)
        {
            char[] chars = new char[length];
            for (int i = 0; i < length; i++)
            {
                chars[i] = (char)bytes[i];
            }

            return new string(chars);
        }
    }
}
