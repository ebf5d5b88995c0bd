namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>What <see cref="INodeLink.Connect"/> needs; built by the core from the device config.</summary>
    public sealed class LinkSettings
    {
#pragma warning disable CS1591 // self-explanatory connection fields, see docs/config.md wifi/mqtt
        public string WifiSsid;
        public string WifiPassword;
        public string Host;
        public int Port;
        public bool Tls;
        public string User;
        public string Password;
        public string ClientId;
        public int KeepAliveSec = 60;
#pragma warning restore CS1591

        /// <summary>Last-will topic (<c>…/status</c>); the will is retained at QoS 1.</summary>
        public string WillTopic;

        /// <summary>Last-will payload (<c>{"v":1,"state":"lost"}</c>).</summary>
        public byte[] WillPayload;

        /// <summary>Topics to subscribe at QoS 1 (<c>…/config</c>, <c>…/cmd</c>).</summary>
        public string[] SubscribeTopics;

        /// <summary>
        /// Measure the joined AP's RSSI on this connect (a Wi-Fi scan, about 2 s of receive current:
        /// <see cref="RssiSchedule"/> says when it is worth it).
        /// </summary>
        public bool MeasureRssi;

        /// <summary>
        /// The battery voltage of this wake, V (0 unknown): a cellular link does not power its module
        /// below its cut-off (Cellular/ModemLink.MinBatteryVolts).
        /// </summary>
        public double BatteryVolts;
    }
}
