namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// The node's network, implemented by the host (ESP32: WifiNetworkHelper + SNTP + M2Mqtt;
    /// virtual node: MQTTnet; tests: FakeLink). Every call blocks at most its timeout and reports
    /// failure by <see cref="LinkStatus"/>, never by exception.
    /// </summary>
    /// <remarks>
    /// Lifecycle within one wake: <see cref="Connect"/> → (<see cref="SyncTime"/>) →
    /// <see cref="Publish"/>* / <see cref="Receive"/>* → <see cref="Disconnect"/>. After a failed
    /// Connect the core calls nothing else but Disconnect. The link may drop at any time; calls then
    /// return <see cref="LinkStatus.Disconnected"/>.
    /// </remarks>
    public interface INodeLink
    {
        /// <summary>
        /// Joins WiFi and connects to the broker with a persistent session (clean session false),
        /// the will message of <paramref name="settings"/> (retained, QoS 1), then subscribes at
        /// QoS 1 to <see cref="LinkSettings.SubscribeTopics"/>.
        /// </summary>
        LinkStatus Connect(LinkSettings settings, int timeoutMs);

        /// <summary>Sets the clock by SNTP from <paramref name="server"/>; true on success (IClock then reads synced time).</summary>
        bool SyncTime(string server, int timeoutMs);

        /// <summary>WiFi signal strength in dBm (0 when unknown).</summary>
        int Rssi { get; }

        /// <summary>
        /// Publishes at QoS 1 and waits for the PUBACK: returns Ok only once the broker has
        /// acknowledged, Timeout when no PUBACK came in time (the message may still arrive: the
        /// core then resends, at-least-once).
        /// </summary>
        LinkStatus Publish(string topic, byte[] payload, int offset, int count, bool retain, int timeoutMs);

        /// <summary>
        /// Copies the next message received on a subscribed topic into <paramref name="buffer"/>
        /// and returns its length; -1 when none arrived within <paramref name="timeoutMs"/>, -2
        /// when one arrived but was larger than the buffer: <paramref name="topic"/> is set, the
        /// buffer holds the message's first bytes (so the node can still answer a too-large
        /// config with its <c>rev</c>) and the message is dropped.
        /// </summary>
        int Receive(byte[] buffer, int timeoutMs, out string topic);

        /// <summary>Disconnects from the broker (no will) and turns WiFi off. Safe in any state.</summary>
        void Disconnect();
    }
}
