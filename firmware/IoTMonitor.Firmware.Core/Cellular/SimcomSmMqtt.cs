using IoTMonitor.Firmware.Core.Cellular.At;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// MQTT over the <c>AT+SM…</c> commands of SIMCom's SIM7070/SIM7080/SIM7090 series (the node's
    /// NB-IoT/Cat-M module is the SIM7080G), which has no <c>AT+CMQTT…</c>. Source: SIMCom
    /// "SIM7070_SIM7080_SIM7090 Series_AT Command Manual", chapter "AT Commands for MQTT(S)
    /// Application" and the file-system and SSL chapters (docs/references.md, "SIM7080G MQTT": the
    /// manual's version could not be checked from here, and the syntax below is cross-checked against
    /// the module vendor board's public examples that quote it).
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>AT+CNACT? → <c>+CNACT: &lt;pdpidx&gt;,&lt;status&gt;,"&lt;ip&gt;"</c>; AT+CNACT=0,1 activates the
    /// application's PDP context 0 (the MQTT client runs on it).</item>
    /// <item>AT+SMCONF="URL","host",port; "KEEPTIME",s; "CLEANSS",0 (persistent session); "CLIENTID";
    /// "USERNAME"; "PASSWORD"; the will as "TOPIC", "MESSAGE", "QOS", "RETAIN" (quoted text, no escape:
    /// a will holding '"' is left out, as on Quectel).</item>
    /// <item>TLS: AT+CFSINIT, AT+CFSWFILE=3,"name",0,&lt;len&gt;,&lt;ms&gt; → <c>DOWNLOAD</c>, the PEM, OK,
    /// AT+CFSTERM (file in /customer/); AT+CFSGFIS=3,"name" → <c>+CFSGFIS: &lt;size&gt;</c> tells whether
    /// it is there; AT+CSSLCFG="SSLVERSION",0,3 (TLS 1.2), AT+CSSLCFG="CONVERT",2,"name" (the CA list),
    /// AT+SMSSL=1,"name","" (SSL context 0, server checked against the CA, no client certificate).</item>
    /// <item>AT+SMCONN → OK once the broker's CONNACK accepted, ERROR otherwise.</item>
    /// <item>AT+SMSUB="topic",1 → OK on the SUBACK.</item>
    /// <item>AT+SMPUB="topic",&lt;len&gt;,1,&lt;retain&gt; → <c>&gt;</c>, the bytes, then OK or ERROR. In the
    /// client's default synchronous mode the result comes after the QoS 1 handshake, so OK is this
    /// message's PUBACK; the node releases the reading on it and on nothing else (see
    /// docs/cellular.md "SIM7080G": to be confirmed on the bench against the manual in hand).</item>
    /// <item>URCs: <c>+SMSTATE: 0</c> (the MQTT connection is lost), <c>+SMSUB: "topic","payload"</c>
    /// (a message on a subscribed topic).</item>
    /// <item>AT+SMDISC closes the session; AT+CCID answers the ICCID on a line of its own (no prefix);
    /// AT+CPSI? → <c>+CPSI: LTE NB-IOT|LTE CAT-M1,Online,…,&lt;RSRQ&gt;,&lt;RSRP&gt;,…</c>, RSRP in dBm (field 11).</item>
    /// </list>
    /// </remarks>
    public sealed class SimcomSmMqtt : IModemMqtt
    {
        /// <summary>Longest wait for the application PDP context after AT+CNACT=0,1, ms (estimate).</summary>
        public const int PdpMs = 30000;

        private const int CommandMs = 5000;
        private const int FsDir = 3;

        private readonly ModemInbox _inbox;
        private bool _connected;
        private bool _tls;
        private string _caName;

        /// <summary>Client on <paramref name="inbox"/>.</summary>
        public SimcomSmMqtt(ModemInbox inbox)
        {
            _inbox = inbox;
        }

        /// <inheritdoc />
        public string IccidCommand
        {
            get { return "AT+CCID"; }
        }

        /// <inheritdoc />
        public string IccidPrefix
        {
            get { return string.Empty; } // the digits on a line of their own
        }

        /// <inheritdoc />
        public bool Connected
        {
            get { return _connected; }
        }

        /// <summary>Times the modem reported <c>+SMSTATE: 0</c> (connection lost), for diagnostics.</summary>
        public int Lost { get; private set; }

        /// <inheritdoc />
        public int ReadRsrp(AtEngine at)
        {
            if (at.Command("AT+CPSI?", "+CPSI:", CommandMs) != AtResult.Ok || at.InfoCount == 0)
            {
                return 0;
            }

            string mode = at.InfoText(0, 0);
            int rsrp = at.InfoInt(0, 11, 0);
            return mode != null && mode.Length >= 3 && mode.Substring(0, 3) == "LTE" && rsrp < 0 ? rsrp : 0;
        }

        /// <inheritdoc />
        public LinkStatus ConfigureTls(AtEngine at, byte[] caCertificate, long deadline)
        {
            _tls = false;
            if (caCertificate == null || caCertificate.Length == 0)
            {
                return LinkStatus.BrokerUnreachable;
            }

            // The SSL file names are at most 20 bytes: "ca" + the checksum part of the common name.
            string full = CertificateName.For(caCertificate);
            _caName = "ca" + full.Substring(full.LastIndexOf('-') + 1);
            at.Begin("AT+CFSGFIS=").Int(FsDir).Text(",").Quoted(_caName);
            bool present = at.Run("+CFSGFIS:", CommandMs) == AtResult.Ok && at.InfoInt(0, 0, -1) == caCertificate.Length;
            if (!present)
            {
                at.Command("AT+CFSTERM", null, CommandMs); // a file system session left open by a lost wake
                if (at.Command("AT+CFSINIT", null, CommandMs) != AtResult.Ok)
                {
                    return LinkStatus.BrokerUnreachable;
                }

                at.Begin("AT+CFSWFILE=").Int(FsDir).Text(",").Quoted(_caName).Text(",0,").Int(caCertificate.Length).Text(",10000");
                AtResult w = at.RunWithData(null, caCertificate, 0, caCertificate.Length, at.Left(deadline));
                at.Command("AT+CFSTERM", null, CommandMs);
                if (w != AtResult.Ok)
                {
                    return LinkStatus.BrokerUnreachable;
                }
            }

            if (at.Command("AT+CSSLCFG=\"SSLVERSION\",0,3", null, CommandMs) != AtResult.Ok)
            {
                return LinkStatus.BrokerUnreachable;
            }

            at.Begin("AT+CSSLCFG=\"CONVERT\",2,").Quoted(_caName);
            if (at.Run(null, CommandMs) != AtResult.Ok)
            {
                return LinkStatus.BrokerUnreachable;
            }

            at.Begin("AT+SMSSL=1,").Quoted(_caName).Text(",\"\"");
            if (at.Run(null, CommandMs) != AtResult.Ok)
            {
                return LinkStatus.BrokerUnreachable;
            }

            _tls = true;
            return LinkStatus.Ok;
        }

        /// <inheritdoc />
        public LinkStatus Connect(AtEngine at, LinkSettings s, long deadline)
        {
            _connected = false;
            if (!AppNetwork(at, deadline))
            {
                return LinkStatus.BrokerUnreachable;
            }

            at.Command("AT+SMDISC", null, CommandMs); // a session an earlier wake left: ERROR when there is none
            if (s.Tls && !_tls)
            {
                return LinkStatus.BrokerUnreachable;
            }

            if (at.Begin("AT+SMCONF=\"URL\",").Quoted(s.Host).Text(",").Int(s.Port).Run(null, CommandMs) != AtResult.Ok
                || at.Begin("AT+SMCONF=\"KEEPTIME\",").Int(s.KeepAliveSec).Run(null, CommandMs) != AtResult.Ok
                || at.Command("AT+SMCONF=\"CLEANSS\",0", null, CommandMs) != AtResult.Ok
                || at.Begin("AT+SMCONF=\"CLIENTID\",").Quoted(s.ClientId).Run(null, CommandMs) != AtResult.Ok)
            {
                return LinkStatus.BrokerUnreachable;
            }

            if (s.User != null && s.User.Length > 0
                && (at.Begin("AT+SMCONF=\"USERNAME\",").Quoted(s.User).Run(null, CommandMs) != AtResult.Ok
                    || at.Begin("AT+SMCONF=\"PASSWORD\",").Quoted(s.Password).Run(null, CommandMs) != AtResult.Ok))
            {
                return LinkStatus.BrokerUnreachable;
            }

            if (s.WillTopic != null && s.WillPayload != null && AtLine.Quotable(s.WillPayload))
            {
                if (at.Begin("AT+SMCONF=\"TOPIC\",").Quoted(s.WillTopic).Run(null, CommandMs) != AtResult.Ok
                    || at.Begin("AT+SMCONF=\"MESSAGE\",").Quoted(Utf8.GetString(s.WillPayload, 0, s.WillPayload.Length)).Run(null, CommandMs) != AtResult.Ok
                    || at.Command("AT+SMCONF=\"QOS\",1", null, CommandMs) != AtResult.Ok
                    || at.Command("AT+SMCONF=\"RETAIN\",1", null, CommandMs) != AtResult.Ok)
                {
                    return LinkStatus.BrokerUnreachable;
                }
            }

            AtResult r = at.Command("AT+SMCONN", null, at.Left(deadline));
            if (r == AtResult.Ok)
            {
                _connected = true;
                return LinkStatus.Ok;
            }

            // ERROR covers a refused CONNACK and an unreachable broker alike: the manual gives no code.
            return r == AtResult.Timeout ? LinkStatus.Timeout : LinkStatus.BrokerUnreachable;
        }

        /// <inheritdoc />
        public LinkStatus Subscribe(AtEngine at, string[] topics, long deadline)
        {
            for (int i = 0; i < topics.Length; i++)
            {
                at.Begin("AT+SMSUB=").Quoted(topics[i]).Text(",1");
                AtResult r = at.Run(null, at.Left(deadline));
                if (r != AtResult.Ok)
                {
                    return r == AtResult.Timeout ? LinkStatus.Timeout : LinkStatus.Disconnected;
                }
            }

            return LinkStatus.Ok;
        }

        /// <inheritdoc />
        public LinkStatus Publish(AtEngine at, string topic, byte[] payload, int offset, int count, bool retain, long deadline)
        {
            if (!_connected)
            {
                return LinkStatus.Disconnected;
            }

            at.Begin("AT+SMPUB=").Quoted(topic).Text(",").Int(count).Text(retain ? ",1,1" : ",1,0");
            AtResult r = at.RunWithData(null, payload, offset, count, at.Left(deadline));
            if (r == AtResult.Ok)
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
                at.Command("AT+SMDISC", null, at.Left(deadline) < CommandMs ? at.Left(deadline) : CommandMs);
            }

            _connected = false;
        }

        /// <inheritdoc />
        public bool OnUrc(byte[] line, int length, out int rawFollowing)
        {
            rawFollowing = 0;
            if (AtLine.StartsWith(line, 0, length, "+SMSTATE:"))
            {
                if (AtLine.Int(line, 0, length, 0, -1) == 0)
                {
                    Lost++;
                    _connected = false;
                }

                return true;
            }

            if (AtLine.StartsWith(line, 0, length, "+SMSUB:"))
            {
                Received(line, length);
                return true;
            }

            return false;
        }

        /// <inheritdoc />
        public void OnRaw(byte[] data, int offset, int count)
        {
        }

        /// <inheritdoc />
        public void Reset()
        {
            _connected = false;
            _tls = false;
        }

        // The application's PDP context 0: active already (an earlier wake, or a module resumed from PSM) or
        // activated now and polled until +CNACT reports it.
        private static bool AppNetwork(AtEngine at, long deadline)
        {
            long until = at.Now + (at.Left(deadline) < PdpMs ? at.Left(deadline) : PdpMs);
            bool asked = false;
            while (true)
            {
                if (at.Command("AT+CNACT?", "+CNACT:", CommandMs) == AtResult.Ok)
                {
                    for (int i = 0; i < at.InfoCount; i++)
                    {
                        if (at.InfoInt(i, 0, -1) == 0 && at.InfoInt(i, 1, 0) == 1)
                        {
                            return true;
                        }
                    }
                }

                if (!asked)
                {
                    asked = true;
                    if (at.Command("AT+CNACT=0,1", null, CommandMs) != AtResult.Ok)
                    {
                        return false;
                    }

                    continue;
                }

                if (at.Left(until) <= 500)
                {
                    return false;
                }

                at.Idle(500);
            }
        }

        // +SMSUB: "<topic>","<payload>": the payload runs from the quote after the topic's field to the
        // line's last quote (it may hold quotes and commas itself; no length is given).
        private void Received(byte[] line, int length)
        {
            string topic = AtLine.Text(line, 0, length, 0);
            int start;
            int end;
            if (topic == null || !AtLine.Field(line, 0, length, 0, out start, out end) || end >= length)
            {
                return;
            }

            int open = end + 1;
            while (open < length && line[open] == ' ')
            {
                open++;
            }

            int close = length - 1;
            if (open >= length || line[open] != '"' || close <= open || line[close] != '"')
            {
                return;
            }

            _inbox.Begin(topic);
            _inbox.Append(line, open + 1, close - open - 1);
            _inbox.Complete();
        }
    }
}
