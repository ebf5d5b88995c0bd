namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>
    /// Envelope and health of a telemetry batch (protocol §4): everything but the readings.
    /// One instance is reused for every batch.
    /// </summary>
    public sealed class TelemetryHeader
    {
        /// <summary>Firmware version, ≤ 16 characters.</summary>
        public string Firmware = "1.0.0";

        /// <summary>Boot counter (protocol §3).</summary>
        public int Boot;

        /// <summary>Node clock when the batch is encoded.</summary>
        public long Clock;

        /// <summary>Calibration record id, or null to omit <c>cal</c>.</summary>
        public string CalibrationId;

        /// <summary>Battery volts.</summary>
        public double Battery;

        /// <summary>WiFi RSSI in dBm.</summary>
        public int Rssi;

        /// <summary>Readings still queued after this batch.</summary>
        public int Queued;

        /// <summary>Readings dropped since boot because the queue was full.</summary>
        public int Dropped;

        /// <summary>Reset reason of the current boot (<see cref="ResetReason"/>).</summary>
        public int ResetReason;

        /// <summary>Low-battery mode (Power/PowerMode), sent as <c>pwr</c> only when not 0 (Normal).</summary>
        public int PowerMode;

        /// <summary>1 while the node is in event mode (Node/EventMode), sent as <c>ev</c> only when not 0.</summary>
        public int EventMode;

        /// <summary>
        /// The RTC's rate error measured at the last SNTP re-sync, ppm (positive: it ran fast), sent as
        /// <c>drift</c> only when measured (not 0).
        /// </summary>
        public int DriftPpm;

        /// <summary>Readings discarded because they cannot be placed in time (node lifetime), sent as <c>unp</c> only when above 0.</summary>
        public int Unplaceable;

        /// <summary>The cellular link's network report (<c>op</c>, <c>act</c>, <c>rsrp</c>), null over Wi-Fi.</summary>
        public NetworkReport Network;

        /// <summary>Send the SIM's <c>iccid</c> with <see cref="Network"/> (the first batch after the link connected).</summary>
        public bool SendIccid;
    }
}
