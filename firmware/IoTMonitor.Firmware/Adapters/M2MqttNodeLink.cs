using System;
using System.Collections;
using System.Device.Wifi;
using System.Net.NetworkInformation;
using System.Threading;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Text;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;
using nanoFramework.Networking;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="INodeLink"/> on the ESP32: WiFi by WifiNetworkHelper (reference §10), SNTP
    /// (§11), MQTT 3.1.1 by nanoFramework.M2Mqtt (§12).
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>M2Mqtt's Publish only enqueues; QoS 1 completion is the MqttMsgPublished event
    /// (IsPublished true on PUBACK, false after 3 unanswered tries). <see cref="Publish"/> waits for
    /// that event for its own message id, so Ok means "PUBACK received" and the core may release
    /// the flash queue.</item>
    /// <item>Events arrive on M2Mqtt's single dispatch thread: handlers only copy and signal.</item>
    /// <item>No auto-reconnect: after a drop every call returns Disconnected until the core calls
    /// Connect again (the WiFi join is Manual too, so the core decides).</item>
    /// <item>The will (retained, QoS 1) is set on CONNECT; clean session false keeps the QoS 1
    /// subscriptions, and the retained config arrives after SUBACK.</item>
    /// </list>
    /// </remarks>
    public sealed class M2MqttNodeLink : INodeLink
    {
        private const int MaxPending = 8;
        private const int SntpValidYear = 2021;

        private readonly object _lock = new object();
        private readonly AutoResetEvent _published = new AutoResetEvent(false);
        private readonly AutoResetEvent _subscribed = new AutoResetEvent(false);
        private readonly AutoResetEvent _received = new AutoResetEvent(false);
        private readonly ArrayList _pendingTopics = new ArrayList();
        private readonly ArrayList _pendingPayloads = new ArrayList();

        /// <summary>Longest wait for a scan's result, ms: a full active scan takes ≈ 2 s (firmware/README.md, "RSSI").</summary>
        public const int ScanTimeoutMs = 4000;

        private readonly AutoResetEvent _scanned = new AutoResetEvent(false);

        private MqttClient _client;
        private bool _wifiUp;
        private int _rssi;
        private int _ackedId = -1;
        private bool _ackedOk;

        /// <inheritdoc />
        public int Rssi
        {
            // The reference lists no RSSI getter for the joined AP, only scan reports: the value of this
            // wake's scan, or 0 (unknown) when none was asked for or it found no network of our SSID.
            get { return _rssi; }
        }

        /// <summary>
        /// M2Mqtt's fixed CONNACK wait, ms (MqttSettings.DefaultTimeout, reference §7): Connect cannot be
        /// told to wait less, so a silent broker costs this much whatever the caller's deadline.
        /// </summary>
        public const int ConnackWaitMs = 30000;

        /// <summary>
        /// Allowance for the DNS query in the MqttClient constructor and the TCP handshake before the
        /// CONNACK wait starts, ms (a LAN broker answers both in tens of ms; neither has a timeout of
        /// its own, reference §7, so a step that outlasts this is left to the watchdog in Program).
        /// </summary>
        public const int DnsAndTcpAllowanceMs = 2000;

        /// <summary>The worst case of the MQTT connect step (DNS, TCP, CONNACK), ms.</summary>
        public const int MqttConnectWorstMs = ConnackWaitMs + DnsAndTcpAllowanceMs;

        /// <summary>Shortest Wi-Fi join worth starting, ms (a join with DHCP takes seconds; firmware/README.md).</summary>
        public const int MinJoinMs = 3000;

        /// <inheritdoc />
        public LinkStatus Connect(LinkSettings settings, int timeoutMs)
        {
            // One deadline for every step of the connect (join, DNS, TCP, CONNACK, SUBACK), which the
            // core sets from what is left of the wake's maxAwakeSec. The MQTT connect cannot be cut
            // short (the CONNACK wait is a fixed 30 s): it is started only when its worst case fits
            // before the deadline, and the join gets only the time that leaves. Skipped, the wake
            // reports Timeout and the core backs off; the radio is not even switched on.
            long deadline = Environment.TickCount64 + timeoutMs;
            if (timeoutMs < MqttConnectWorstMs + MinJoinMs)
            {
                return LinkStatus.Timeout;
            }

            try
            {
                CancellationTokenSource cts = new CancellationTokenSource(timeoutMs - MqttConnectWorstMs);
                _wifiUp = WifiNetworkHelper.ConnectDhcp(settings.WifiSsid, settings.WifiPassword, WifiReconnectionKind.Manual, false, 0, cts.Token);
            }
            catch (Exception)
            {
                _wifiUp = false;
            }
            finally
            {
                // ConnectDhcp saved the config with AutoConnect before it knew whether the join would
                // succeed (reference §6): undo that on a failed join too, or every later wake joins at
                // boot and keeps the radio on through its sampling.
                KeepWifiOffAtBoot();
            }

            if (!_wifiUp)
            {
                return LinkStatus.WifiFailed;
            }

            if (settings.MeasureRssi)
            {
                long scanLeft = deadline - MqttConnectWorstMs - Environment.TickCount64;
                _rssi = MeasureRssi(settings.WifiSsid, (int)(scanLeft < ScanTimeoutMs ? scanLeft : ScanTimeoutMs));
            }

            if (deadline - Environment.TickCount64 < MqttConnectWorstMs)
            {
                return LinkStatus.Timeout;
            }

            MqttClient client;
            MqttReasonCode code;
            try
            {
                client = new MqttClient(settings.Host, settings.Port, settings.Tls, null, null, settings.Tls ? MqttSslProtocols.TLSv1_2 : MqttSslProtocols.None);
                client.MqttMsgPublished += OnPublished;
                client.MqttMsgSubscribed += OnSubscribed;
                client.MqttMsgPublishReceived += OnReceived;
                string will = settings.WillPayload == null ? null : Utf8.GetString(settings.WillPayload, 0, settings.WillPayload.Length);

                // Blocks until CONNACK, at most ConnackWaitMs (checked above to fit before the deadline).
                code = client.Connect(
                    settings.ClientId,
                    settings.User,
                    settings.Password,
                    true,
                    MqttQoSLevel.AtLeastOnce,
                    will != null,
                    settings.WillTopic,
                    will,
                    false,
                    (ushort)settings.KeepAliveSec);
            }
            catch (Exception)
            {
                return LinkStatus.BrokerUnreachable;
            }

            if (code != MqttReasonCode.Success)
            {
                client.Close();
                return LinkStatus.Refused;
            }

            _client = client;
            string[] topics = settings.SubscribeTopics;
            if (topics == null || topics.Length == 0)
            {
                return LinkStatus.Ok;
            }

            MqttQoSLevel[] qos = new MqttQoSLevel[topics.Length];
            for (int i = 0; i < qos.Length; i++)
            {
                qos[i] = MqttQoSLevel.AtLeastOnce;
            }

            try
            {
                _subscribed.Reset();
                client.Subscribe(topics, qos);
            }
            catch (Exception)
            {
                return LinkStatus.Disconnected;
            }

            // A lost SUBACK raises nothing (reference §12): report Timeout, the session stays usable.
            long left = deadline - Environment.TickCount64;
            return left > 0 && _subscribed.WaitOne((int)left, false) ? LinkStatus.Ok : LinkStatus.Timeout;
        }

        // One scan (WifiAdapter.ScanAsync, result in AvailableNetworksChanged, reference §10): the
        // strongest report of our SSID, rounded to whole dBm; 0 when none came within timeoutMs.
        private int MeasureRssi(string ssid, int timeoutMs)
        {
            if (timeoutMs <= 0 || ssid == null || ssid.Length == 0)
            {
                return 0;
            }

            WifiAdapter adapter = null;
            try
            {
                adapter = WifiAdapter.FindAllAdapters()[0];
                _scanned.Reset();
                adapter.AvailableNetworksChanged += OnScanned;
                adapter.ScanAsync();
                if (!_scanned.WaitOne(timeoutMs, false))
                {
                    return 0;
                }

                WifiAvailableNetwork[] networks = adapter.NetworkReport.AvailableNetworks;
                double best = 0;
                for (int i = 0; i < networks.Length; i++)
                {
                    double dbm = networks[i].NetworkRssiInDecibelMilliwatts;
                    if (networks[i].Ssid == ssid && dbm < 0 && (best == 0 || dbm > best))
                    {
                        best = dbm;
                    }
                }

                return best < 0 ? (int)(best - 0.5) : 0;
            }
            catch (Exception)
            {
                return 0;
            }
            finally
            {
                if (adapter != null)
                {
                    adapter.AvailableNetworksChanged -= OnScanned;
                }
            }
        }

        private void OnScanned(WifiAdapter sender, object e)
        {
            _scanned.Set();
        }

        /// <summary>
        /// A step of the RTC against the tick count at least this large, ms, is an SNTP answer landing
        /// on a set clock (the reference names no sync event: §9, Networking.Sntp has none). A
        /// correction smaller than this cannot be told from no answer and reports false.
        /// </summary>
        public const int ResyncStepMs = 500;

        /// <inheritdoc />
        public bool SyncTime(string server, int timeoutMs)
        {
            // UpdateNow restarts SNTP: its first query comes SNTP_STARTUP_DELAY (2 s) later (reference §9).
            bool wasSet = DateTime.UtcNow.Year >= SntpValidYear;
            long rtc0 = DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond;
            long tick0 = Environment.TickCount64;
            try
            {
                Sntp.Server1 = server;
                if (!Sntp.IsStarted)
                {
                    Sntp.Start();
                }

                Sntp.UpdateNow();
            }
            catch (Exception)
            {
                return false;
            }

            long deadline = tick0 + timeoutMs;
            while (true)
            {
                if (!wasSet && DateTime.UtcNow.Year >= SntpValidYear)
                {
                    return true;
                }

                if (wasSet)
                {
                    long step = (DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond) - rtc0 - (Environment.TickCount64 - tick0);
                    if (step >= ResyncStepMs || step <= -ResyncStepMs)
                    {
                        return true;
                    }
                }

                if (Environment.TickCount64 >= deadline)
                {
                    return false;
                }

                Thread.Sleep(100);
            }
        }

        /// <inheritdoc />
        public LinkStatus Publish(string topic, byte[] payload, int offset, int count, bool retain, int timeoutMs)
        {
            MqttClient client = _client;
            if (client == null || !client.IsConnected)
            {
                return LinkStatus.Disconnected;
            }

            // M2Mqtt takes the whole array: copy the slice (one allocation per message, not per reading).
            byte[] message = payload;
            if (offset != 0 || count != payload.Length)
            {
                message = new byte[count];
                Array.Copy(payload, offset, message, 0, count);
            }

            ushort id;
            try
            {
                id = client.Publish(topic, message, null, null, MqttQoSLevel.AtLeastOnce, retain);
            }
            catch (Exception)
            {
                return client.IsConnected ? LinkStatus.Timeout : LinkStatus.Disconnected;
            }

            long deadline = Environment.TickCount64 + timeoutMs;
            while (true)
            {
                lock (_lock)
                {
                    if (_ackedId == id)
                    {
                        _ackedId = -1;
                        return _ackedOk ? LinkStatus.Ok : LinkStatus.Timeout;
                    }
                }

                if (!client.IsConnected)
                {
                    return LinkStatus.Disconnected;
                }

                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return LinkStatus.Timeout;
                }

                _published.WaitOne((int)left, false);
            }
        }

        /// <inheritdoc />
        public int Receive(byte[] buffer, int timeoutMs, out string topic)
        {
            topic = null;
            long deadline = Environment.TickCount64 + timeoutMs;
            while (true)
            {
                lock (_lock)
                {
                    if (_pendingTopics.Count > 0)
                    {
                        topic = (string)_pendingTopics[0];
                        byte[] data = (byte[])_pendingPayloads[0];
                        _pendingTopics.RemoveAt(0);
                        _pendingPayloads.RemoveAt(0);
                        if (data.Length > buffer.Length)
                        {
                            Array.Copy(data, buffer, buffer.Length); // the prefix: INodeLink.Receive
                            return -2;
                        }

                        Array.Copy(data, buffer, data.Length);
                        return data.Length;
                    }
                }

                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return -1;
                }

                _received.WaitOne((int)left, false);
            }
        }

        /// <inheritdoc />
        public void Disconnect()
        {
            MqttClient client = _client;
            _client = null;
            if (client != null)
            {
                try
                {
                    if (client.IsConnected)
                    {
                        client.Disconnect();
                    }

                    client.Close();
                }
                catch (Exception)
                {
                    // Already down; nothing left to release.
                }
            }

            if (_wifiUp)
            {
                _wifiUp = false;
                try
                {
                    WifiNetworkHelper.Disconnect();
                }
                catch (Exception)
                {
                    // WiFi already gone.
                }
            }
        }

        // ConnectDhcp saves the config with AutoConnect whatever the reconnection kind, and with
        // AutoConnect the runtime joins before Main at every boot (reference §6): a sampling-only
        // wake would pay for Wi-Fi. Saved back as Enable only (a small inline file on I:), the
        // radio stays off until an upload wake calls ConnectDhcp.
        private static bool KeepWifiOffAtBoot()
        {
            bool changed = false;
            try
            {
                Wireless80211Configuration[] configs = Wireless80211Configuration.GetAllWireless80211Configurations();
                for (int i = 0; i < configs.Length; i++)
                {
                    if (configs[i].Options != Wireless80211Configuration.ConfigurationOptions.Enable)
                    {
                        configs[i].Options = Wireless80211Configuration.ConfigurationOptions.Enable;
                        configs[i].SaveConfiguration();
                        changed = true;
                    }
                }
            }
            catch (Exception)
            {
                // A save that fails now is retried after the next join; the cost is one boot join.
            }

            return changed;
        }

        /// <summary>
        /// Called first thing in Main. A power cut between ConnectDhcp's save (AutoConnect) and
        /// <see cref="KeepWifiOffAtBoot"/> leaves a config with which the runtime joins before Main at
        /// every boot (reference §6). Found so, it is saved back as Enable and the join the runtime
        /// started is dropped, so this wake's sampling runs with the radio off. Costs a flash write
        /// only when there is something to undo.
        /// </summary>
        public static void StopBootJoin()
        {
            if (KeepWifiOffAtBoot())
            {
                try
                {
                    WifiNetworkHelper.Disconnect();
                }
                catch (Exception)
                {
                    // Not joined yet: nothing to drop.
                }
            }
        }

        private void OnPublished(object sender, MqttMsgPublishedEventArgs e)
        {
            lock (_lock)
            {
                _ackedId = e.MessageId;
                _ackedOk = e.IsPublished;
            }

            _published.Set();
        }

        private void OnSubscribed(object sender, MqttMsgSubscribedEventArgs e)
        {
            _subscribed.Set();
        }

        private void OnReceived(object sender, MqttMsgPublishEventArgs e)
        {
            lock (_lock)
            {
                if (_pendingTopics.Count < MaxPending)
                {
                    _pendingTopics.Add(e.Topic);
                    _pendingPayloads.Add(e.Message);
                }
            }

            _received.Set();
        }
    }
}
