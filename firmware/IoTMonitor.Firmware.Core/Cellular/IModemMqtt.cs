using IoTMonitor.Firmware.Core.Cellular.At;
using IoTMonitor.Firmware.Core.Node;

namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// A modem's built-in MQTT client driven over AT commands: SIMCom's <c>AT+CMQTT…</c>
    /// (<see cref="SimcomMqtt"/>) or Quectel's <c>AT+QMT…</c> (<see cref="QuectelMqtt"/>). Every
    /// call waits at most until its deadline (clock ms) and reports failure by <see cref="LinkStatus"/>.
    /// </summary>
    public interface IModemMqtt
    {
        /// <summary>Command that reads the SIM's ICCID and the prefix of its answer.</summary>
        string IccidCommand { get; }

        /// <summary>Prefix of the ICCID answer line.</summary>
        string IccidPrefix { get; }

        /// <summary>False once the modem reported the MQTT connection lost (or it was never made).</summary>
        bool Connected { get; }

        /// <summary>The serving cell's RSRP in dBm, 0 when the modem reports none (not on LTE).</summary>
        int ReadRsrp(AtEngine at);

        /// <summary>Uploads the CA certificate when the modem lacks it and sets the TLS context (server authentication on).</summary>
        LinkStatus ConfigureTls(AtEngine at, byte[] caCertificate, long deadline);

        /// <summary>Starts the MQTT service, opens the network connection and sends CONNECT (clean session false, will).</summary>
        LinkStatus Connect(AtEngine at, LinkSettings settings, long deadline);

        /// <summary>Subscribes at QoS 1 and waits for the SUBACK.</summary>
        LinkStatus Subscribe(AtEngine at, string[] topics, long deadline);

        /// <summary>Publishes at QoS 1; Ok only once the modem reports the broker's PUBACK for this message.</summary>
        LinkStatus Publish(AtEngine at, string topic, byte[] payload, int offset, int count, bool retain, long deadline);

        /// <summary>Sends DISCONNECT, closes the connection and stops the service; safe in any state.</summary>
        void Close(AtEngine at, long deadline);

        /// <summary>Handles a URC of this family; false when the line is not one.</summary>
        bool OnUrc(byte[] line, int length, out int rawFollowing);

        /// <summary>Raw bytes announced by the last URC.</summary>
        void OnRaw(byte[] data, int offset, int count);

        /// <summary>Forgets the session state (the modem was reset).</summary>
        void Reset();
    }
}
