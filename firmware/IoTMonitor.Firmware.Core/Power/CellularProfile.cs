namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// A cellular module's phases for <see cref="CellularEnergy"/>: how long each step of an upload takes
    /// and what the module draws from the pack meanwhile (VBAT is the pack, so module mA = pack mA).
    /// Durations marked "model" are the runtime model's (Host/Modem/ModemBehaviour and the board code's
    /// PWRKEY timings, Adapters/Esp32ModemPower); every current is an **estimate** read against the
    /// module's hardware design guide (docs/references.md, "Cellular modems": the guides give currents
    /// per mode and band, not per step), to be replaced by a bench measurement (hardware/common/cellular.md).
    /// </summary>
    public sealed class CellularProfile
    {
        /// <summary>Module name for the tables.</summary>
        public string Module = "A7670C";

        /// <summary>Access technology for the tables (Cat-1, NB-IoT).</summary>
        public string Rat = "Cat-1";

        /// <summary>Load switch on + VBAT settle + PWRKEY on-pulse, ms (model: 100 + 600).</summary>
        public int PowerOnMs = 700;

        /// <summary>PWRKEY to the first AT answer, ms (model: ≈ 10 s after PWRKEY; estimate from the A7670 guide's power-on timing).</summary>
        public int BootMs = 10000;

        /// <summary>Module current while booting, mA (estimate).</summary>
        public double BootMa = 50;

        /// <summary>Cell search, attach and registration from power-on with a cached cell, ms (model: 3 s; estimate 2–5 s).</summary>
        public int RegistrationMs = 3000;

        /// <summary>Current while searching and attaching, mA (estimate).</summary>
        public double RegistrationMa = 100;

        /// <summary>AT steps after registration (SIM, signal, operator, ICCID, CA check), ms (model: ≈ 20 commands × 20 ms; estimate).</summary>
        public int AtStepsMs = 400;

        /// <summary>TLS handshake + MQTT CONNECT/CONNACK + SUBSCRIBE/SUBACK over the radio, ms (estimate: 4 round trips of <see cref="RoundTripMs"/> plus the modem's TLS work).</summary>
        public int ConnectMs = 1500;

        /// <summary>Radio round trip, ms (model: 120 ms for Cat-1; estimate).</summary>
        public int RoundTripMs = 120;

        /// <summary>Average current while exchanging data in RRC connected mode, mA (estimate at moderate transmit power; the guides give up to ≈ 500–600 mA at full power).</summary>
        public double DataMa = 200;

        /// <summary>Current in RRC connected mode without data (the receive window), mA (estimate).</summary>
        public double ConnectedIdleMa = 60;

        /// <summary>Power-off pulse (board: 3 s for the A76XX) + network detach until STATUS falls, ms (detach estimate 2 s).</summary>
        public int PowerOffMs = 5000;

        /// <summary>Current during the power-off pulse and detach, mA (estimate).</summary>
        public double PowerOffMa = 40;

        /// <summary>Load switch off (TPS22965 shutdown current) with the module unpowered, mA (estimate 1 µA).</summary>
        public double OffLeakMa = 0.001;

        /// <summary>Registered and idle in the module's sleep mode (DRX), mA: the alternative to switching it off (estimate).</summary>
        public double IdleSleepMa = 2.5;

        /// <summary>True when the module has PSM and the network grants it (NB-IoT/Cat-M); Cat-1 networks here do not (cellular.md).</summary>
        public bool PsmGranted;

        /// <summary>Leaving PSM until data can flow (service request, no full registration), ms (estimate).</summary>
        public int PsmResumeMs = 2000;

        /// <summary>Active time T3324 in idle DRX after an upload before PSM (requested 10 s), ms.</summary>
        public int ActiveTimeMs = 10000;

        /// <summary>Current in PSM, mA (module guide figure of a few µA; estimate 5 µA with the board around it).</summary>
        public double PsmMa = 0.005;

        /// <summary>The node's default Cat-1 module (A7670C), off between uploads.</summary>
        public static CellularProfile Cat1()
        {
            return new CellularProfile();
        }

        /// <summary>
        /// An NB-IoT module (SIM7080G): quick boot, slow data (round trips of seconds in coverage
        /// enhancement), PSM where the network grants it.
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
