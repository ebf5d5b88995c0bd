namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>
    /// What a cellular node tells the gateway about its network and SIM in the batch health (protocol §4:
    /// <c>op</c>, <c>act</c>, <c>rsrp</c>, <c>iccid</c>), filled by the link at each connect
    /// (Cellular/ModemLink; the AT commands are cited there). A Wi-Fi node has none.
    /// </summary>
    public sealed class NetworkReport
    {
        /// <summary>Longest operator name sent (<c>op</c>), characters; a longer one is cut.</summary>
        public const int MaxOperator = 32;

        /// <summary>Operator name from AT+COPS? (3GPP TS 27.007 §7.3), null unknown.</summary>
        public string Operator;

        /// <summary>Access technology, 27.007 §7.3 &lt;AcT&gt; (7 E-UTRAN, 9 NB-IoT), -1 unknown.</summary>
        public int AccessTech = -1;

        /// <summary>RSRP of the serving LTE cell, dBm, 0 unknown.</summary>
        public int RsrpDbm;

        /// <summary>The SIM's ICCID (AT+CICCID / AT+QCCID), null unknown.</summary>
        public string Iccid;

        /// <summary><see cref="PowerMode"/>: the module is switched off between uploads.</summary>
        public const int ModeOff = 0;

        /// <summary><see cref="PowerMode"/>: the module rests in PSM between uploads (granted by the network).</summary>
        public const int ModePsm = 1;

        /// <summary>How the module spends the time between uploads (<c>mpm</c>: <see cref="ModeOff"/>, <see cref="ModePsm"/>), -1 unknown.</summary>
        public int PowerMode = -1;

        /// <summary>Connects the link refused because the battery was below the module's cut-off (<c>mlb</c>), 0 none.</summary>
        public int BatteryCutoffs;
    }
}
