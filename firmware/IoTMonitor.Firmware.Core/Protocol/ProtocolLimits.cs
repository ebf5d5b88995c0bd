namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>Limits of protocol v1 (docs/protocol.md §4 "Limits").</summary>
    public static class ProtocolLimits
    {
        /// <summary>Protocol version written as <c>"v"</c>.</summary>
        public const int Version = 1;

        /// <summary>Largest telemetry payload in bytes.</summary>
        public const int MaxPayloadBytes = 8192;

        /// <summary>Most readings in one batch.</summary>
        public const int MaxReadings = 200;

        /// <summary>Clock values (<c>clk</c>, <c>t</c>) at or above this are synced (protocol §3).</summary>
        public const long SyncedEpoch = 1600000000;
    }
}
