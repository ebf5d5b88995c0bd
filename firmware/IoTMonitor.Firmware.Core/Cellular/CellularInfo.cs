namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>What the modem reported about the network and the SIM at the last connect (diagnostics, health).</summary>
    public sealed class CellularInfo
    {
        /// <summary>Registration state, 3GPP TS 27.007 §10.1.22 (+CEREG) / §7.2 (+CREG): 1 home, 5 roaming, 2 searching, 3 denied, 0 not searching, -1 unknown.</summary>
        public int Registration = -1;

        /// <summary>RSSI from AT+CSQ in dBm (3GPP TS 27.007 §8.5: −113 + 2·rssi), 0 when unknown (99).</summary>
        public int RssiDbm;

        /// <summary>RSRP of the serving LTE cell in dBm, 0 when unknown.</summary>
        public int RsrpDbm;

        /// <summary>Operator name from AT+COPS? (3GPP TS 27.007 §7.3), null when not registered.</summary>
        public string Operator;

        /// <summary>Access technology from AT+COPS? (27.007 §7.3 &lt;AcT&gt;: 0 GSM, 2 UTRAN, 7 E-UTRAN, 8 EC-GSM-IoT, 9 E-UTRAN NB-S1), -1 unknown.</summary>
        public int AccessTech = -1;

        /// <summary>The SIM's ICCID (read once, at the first connect after power-on).</summary>
        public string Iccid;

        /// <summary>Times the modem announced a restart (RDY / *ATREADY) while the node was awake.</summary>
        public int ModemResets;

        /// <summary>Last +CME ERROR code seen on a failing step, -1 none.</summary>
        public int LastCmeError = -1;

        /// <summary>The step the last failed connect stopped at (for diagnostics).</summary>
        public string FailedStep;

        /// <summary>The module took AT+CPSMS=1 and AT+CEREG=4 at this power-on (27.007 §7.38, §10.1.22).</summary>
        public bool PsmRequested;

        /// <summary>Active time (T3324) the network granted, s; -1 none (PSM not granted).</summary>
        public int PsmActiveSec = -1;

        /// <summary>Periodic TAU (T3412 extended) the network granted, s; -1 none.</summary>
        public int PsmTauSec = -1;

        /// <summary>PSM usable: requested, an active time granted and a periodic TAU no shorter than the upload interval.</summary>
        public bool PsmGranted;

        /// <summary>Connects that powered the module from off (cold starts, power cycles included).</summary>
        public int ColdStarts;

        /// <summary>Connects that found the module resting in PSM (woken, no boot, no attach).</summary>
        public int PsmWakes;

        /// <summary>Disconnects that left the module powered to rest in PSM.</summary>
        public int PsmRests;

        /// <summary>Connects refused because the battery was below the module's cut-off (<see cref="ModemLink.MinBatteryVolts"/>).</summary>
        public int BatteryCutoffs;

        /// <summary>Module charge of the uploads made from PSM and the PSM rests after them, mA·s (from <see cref="ModemLink.Profile"/>).</summary>
        public double PsmModemMas;

        /// <summary>Module charge of the uploads made from off and the off periods after them, mA·s.</summary>
        public double OffModemMas;
    }
}
