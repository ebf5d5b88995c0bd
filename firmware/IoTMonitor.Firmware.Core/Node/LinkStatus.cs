namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>Outcome of an <see cref="INodeLink"/> call.</summary>
    public enum LinkStatus
    {
        /// <summary>Done (for Publish: PUBACK received).</summary>
        Ok = 0,

        /// <summary>WiFi did not associate or got no IP address.</summary>
        WifiFailed = 1,

        /// <summary>TCP/TLS connection to the broker failed.</summary>
        BrokerUnreachable = 2,

        /// <summary>The broker refused the CONNECT (credentials, client id).</summary>
        Refused = 3,

        /// <summary>No answer within the timeout.</summary>
        Timeout = 4,

        /// <summary>The connection dropped.</summary>
        Disconnected = 5,
    }
}
