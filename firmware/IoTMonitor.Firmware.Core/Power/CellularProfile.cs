namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// A cellular module's phases for <see cref="CellularEnergy"/>: how long each step of an upload takes
    /// and what the module draws from the pack meanwhile (VBAT is the pack, so module mA = pack mA).
    /// Each figure says where it comes from: "board" = the firmware's own timing (Adapters/Esp32ModemPower),
    /// "from &lt;document&gt;" = read in that document (docs/references.md), "estimate" = ours. No module
    /// current per upload step is published (the guides give currents per mode and band), so every
    /// current here is an estimate; where a sibling module's guide publishes the mode's figure it is named
    /// as a bracket, not as the source. Replace them with a bench measurement (hardware/common/cellular.md
    /// "Bench checks").
    /// </summary>
    public sealed class CellularProfile
    {
        /// <summary>Module name for the tables.</summary>
        public string Module = "A7670C";

        /// <summary>Access technology for the tables (Cat-1, NB-IoT).</summary>
        public string Rat = "Cat-1";

        /// <summary>Load switch on + VBAT settle + PWRKEY on-pulse, ms (board: 100 + 600; the pulse minimum ≥ 50 ms is from the A7670 hardware design, marked "verify" in docs/references.md).</summary>
        public int PowerOnMs = 700;

        /// <summary>PWRKEY to the first AT answer, ms (estimate ≈ 10 s, the A7670 guide's typical UART-ready time as remembered, "verify").</summary>
        public int BootMs = 10000;

        /// <summary>Module current while booting, mA (estimate).</summary>
        public double BootMa = 50;

        /// <summary>Cell search, attach and registration from power-on with a cached cell, ms (estimate 2–5 s; the modem model uses 3 s).</summary>
        public int RegistrationMs = 3000;

        /// <summary>Current while searching and attaching, mA (estimate).</summary>
        public double RegistrationMa = 100;

        /// <summary>AT steps after registration (SIM, signal, operator, ICCID, CA check), ms (estimate: ≈ 20 commands × 20 ms).</summary>
        public int AtStepsMs = 400;

        /// <summary>TLS handshake + MQTT CONNECT/CONNACK + SUBSCRIBE/SUBACK over the radio, ms (estimate: 4 round trips of <see cref="RoundTripMs"/> plus the modem's TLS work).</summary>
        public int ConnectMs = 1500;

        /// <summary>Radio round trip, ms (estimate: 120 ms for Cat-1).</summary>
        public int RoundTripMs = 120;

        /// <summary>Average current while exchanging data in RRC connected mode, mA (estimate at moderate transmit power; the full-power LTE figures in the guides are several times higher).</summary>
        public double DataMa = 200;

        /// <summary>Current in RRC connected mode without data (the receive window), mA (estimate).</summary>
        public double ConnectedIdleMa = 60;

        /// <summary>Power-off pulse (board: 3 s for the A76XX, from its ≥ 2.5 s minimum, "verify") + network detach until STATUS falls, ms (detach: estimate 2 s).</summary>
        public int PowerOffMs = 5000;

        /// <summary>Current during the power-off pulse and detach, mA (estimate).</summary>
        public double PowerOffMa = 40;

        /// <summary>Load switch off with the module unpowered, mA (estimate 1 µA for the TPS22965's leakage plus the pull-downs).</summary>
        public double OffLeakMa = 0.001;

        /// <summary>Registered and idle in the module's sleep mode (DRX), mA: the alternative to switching it off (estimate; NB-IoT bracket: SIM7000 sleep 1 mA, SIM7020 idle 5.6 mA / sleep 0.24 mA, docs/references.md).</summary>
        public double IdleSleepMa = 2.5;

        /// <summary>True when the module has PSM and the network is expected to grant it (NB-IoT/Cat-M); Cat-1 networks here do not (estimate: operator practice; the link reads the real grant, Cellular/ModemLink).</summary>
        public bool PsmGranted;

        /// <summary>Leaving PSM until data can flow (PWRKEY wake, service request, no boot or attach), ms (estimate; the wake itself: SIM7020 Hardware Design V1.02 §5.3.4).</summary>
        public int PsmResumeMs = 2000;

        /// <summary>Active time T3324 in idle DRX after an upload before PSM, ms (board: the link requests 10 s, ModemLink.PsmActiveSec; the network may grant another).</summary>
        public int ActiveTimeMs = 10000;

        /// <summary>Current in PSM, mA (estimate 5 µA with the board around it; bracket: SIM7020 Hardware Design V1.02 Table 30 3.4 µA, SIM7000 guide 9 µA as quoted by botletics).</summary>
        public double PsmMa = 0.005;

        /// <summary>The node's default Cat-1 module (A7670C), off between uploads.</summary>
        public static CellularProfile Cat1()
        {
            return new CellularProfile();
        }

        /// <summary>
        /// An NB-IoT module (SIM7080G): quick boot, slow data (round trips of seconds in coverage
        /// enhancement), PSM where the network grants it. Every figure is an estimate (the SIM7080G's
        /// own hardware design guide was not reachable in this work; docs/references.md names the sibling
        /// guides that bracket them: data 100 mA against SIM7000's 109–167 mA at 10–23 dBm).
        /// </summary>
        public static CellularProfile NbIot()
        {
            CellularProfile p = new CellularProfile();
            p.Module = "SIM7080G";
            p.Rat = "NB-IoT";
            p.BootMs = 4000;
            p.BootMa = 30;
            p.RegistrationMs = 8000;
            p.RegistrationMa = 60;
            p.ConnectMs = 8000;
            p.RoundTripMs = 1500;
            p.DataMa = 100;
            p.ConnectedIdleMa = 30;
            p.PowerOffMs = 3000;
            p.PowerOffMa = 30;
            p.IdleSleepMa = 1.0;
            p.PsmGranted = true;
            return p;
        }
    }
}
