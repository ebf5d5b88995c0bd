using IoTMonitor.Firmware.Core.Config;

namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// Energy of a cellular node (hardware/common/cellular.md): what one upload costs with the module
    /// switched off between uploads (power-on, boot, registration, connect, publishes, receive window,
    /// power-off) or held in PSM (resume, connect, publishes, receive window, active time; the PSM floor
    /// between), and the node's day and battery life with it. The sampling wakes and the sleep floor are
    /// <see cref="PowerModel"/>'s; only the upload changes: the ESP32 stays awake at <see cref="PowerProfile.CpuMa"/>
    /// through every modem step (it waits on the UART), with Wi-Fi off.
    /// </summary>
    public static class CellularEnergy
    {
        private const double SecondsPerDay = 86400;

        /// <summary>Modem steps of one upload in ms, module powered from off.</summary>
        public static int OffUploadMs(CellularProfile m, int publishes)
        {
            return m.PowerOnMs + m.BootMs + m.RegistrationMs + m.AtStepsMs + m.ConnectMs + (publishes * PublishMs(m)) + NodeReceiveWindowMs + m.PowerOffMs;
        }

        /// <summary>Modem steps of one upload in ms, module resumed from PSM (no power-off at the end; the active time is not awake time of the ESP32).</summary>
        public static int PsmUploadMs(CellularProfile m, int publishes)
        {
            return m.PsmResumeMs + m.AtStepsMs + m.ConnectMs + (publishes * PublishMs(m)) + NodeReceiveWindowMs;
        }

        /// <summary>Module charge of one upload from off, mA·s.</summary>
        public static double OffUploadModemMas(CellularProfile m, int publishes)
        {
            double s = 0;
            s += (m.PowerOnMs + m.BootMs) * m.BootMa;
            s += m.RegistrationMs * m.RegistrationMa;
            s += (m.AtStepsMs + m.ConnectMs + (publishes * PublishMs(m))) * m.DataMa;
            s += NodeReceiveWindowMs * m.ConnectedIdleMa;
            s += m.PowerOffMs * m.PowerOffMa;
            return s / 1000.0;
        }

        /// <summary>Module charge of one upload from PSM, active time included, mA·s.</summary>
        public static double PsmUploadModemMas(CellularProfile m, int publishes)
        {
            double s = 0;
            s += m.PsmResumeMs * m.RegistrationMa;
            s += (m.AtStepsMs + m.ConnectMs + (publishes * PublishMs(m))) * m.DataMa;
            s += NodeReceiveWindowMs * m.ConnectedIdleMa;
            s += m.ActiveTimeMs * m.IdleSleepMa;
            return s / 1000.0;
        }

        /// <summary>Whole-node charge of one upload (module + ESP32 awake through it), mA·s; <paramref name="psm"/> picks the mode.</summary>
        public static double UploadMas(CellularProfile m, PowerProfile p, int publishes, bool psm)
        {
            return psm
                ? PsmUploadModemMas(m, publishes) + (PsmUploadMs(m, publishes) / 1000.0 * p.CpuMa)
                : OffUploadModemMas(m, publishes) + (OffUploadMs(m, publishes) / 1000.0 * p.CpuMa);
        }

        /// <summary>The module's standing current between uploads in a mode, mA: off (load switch leakage) or PSM.</summary>
        public static double BetweenMa(CellularProfile m, bool psm)
        {
            return psm ? m.PsmMa : m.OffLeakMa;
        }

        /// <summary>
        /// What staying registered in the module's sleep mode would cost per upload interval instead, mA·s:
        /// the idle current over the interval plus the connect and publishes (no boot, no registration).
        /// </summary>
        public static double StayRegisteredMas(CellularProfile m, PowerProfile p, int publishes, int uploadSec)
        {
            int busyMs = m.AtStepsMs + m.ConnectMs + (publishes * PublishMs(m)) + NodeReceiveWindowMs;
            return (m.IdleSleepMa * uploadSec) + (busyMs * (m.DataMa + p.CpuMa) / 1000.0);
        }

        /// <summary>The mode by the numbers: PSM when the network grants it and it costs less per upload interval than switching off.</summary>
        public static bool ChoosePsm(CellularProfile m, PowerProfile p, int publishes, int uploadSec)
        {
            if (!m.PsmGranted)
            {
                return false;
            }

            double psm = UploadMas(m, p, publishes, true) + (BetweenMa(m, true) * uploadSec);
            double off = UploadMas(m, p, publishes, false) + (BetweenMa(m, false) * uploadSec);
            return psm < off;
        }

        /// <summary>Publishes of one upload: the online status, the batches of the readings, the sleeping status.</summary>
        public static int Publishes(DeviceConfig config)
        {
            int uploadEvery = config.UploadSec > config.SampleSec ? config.UploadSec : config.SampleSec;
            int readings = PowerModel.ReadingsPerWake(config, false) * (uploadEvery / config.SampleSec);
            int batchMax = config.BatchMax < 1 ? 1 : config.BatchMax;
            return ((readings + batchMax - 1) / batchMax) + 2;
        }

        /// <summary>Average charge per day of the node over cellular, mAh (sampling wakes and sleep floor as over Wi-Fi).</summary>
        public static double DailyMah(DeviceConfig config, PowerProfile p, CellularProfile m, bool psm)
        {
            int uploadEvery = config.UploadSec > config.SampleSec ? config.UploadSec : config.SampleSec;
            double wakesPerDay = SecondsPerDay / config.SampleSec;
            double uploadsPerDay = SecondsPerDay / uploadEvery;
            int publishes = Publishes(config);
            double sampleMas = wakesPerDay * PowerModel.SampleWakeMas(config, p, false);
            double uploadMas = uploadsPerDay * UploadMas(m, p, publishes, psm);
            int uploadMs = psm ? PsmUploadMs(m, publishes) : OffUploadMs(m, publishes);
            double awakeSec = (wakesPerDay * PowerModel.SampleWakeMs(config, p, false) / 1000.0) + (uploadsPerDay * uploadMs / 1000.0);
            double sleepMas = (SecondsPerDay - awakeSec) * (p.SleepFloorMa() + BetweenMa(m, psm));
            return (sampleMas + uploadMas + sleepMas) / 3600.0;
        }

        /// <summary>Days until the usable charge is spent without sun, over cellular.</summary>
        public static double LifeDays(DeviceConfig config, PowerProfile p, CellularProfile m, bool psm)
        {
            return PowerModel.UsableMah(p) / (DailyMah(config, p, m, psm) + PowerModel.SelfDischargeMahPerDay(p));
        }

        /// <summary>Solar charge per day ÷ load per day over cellular at <paramref name="peakSunHours"/>.</summary>
        public static double SolarMargin(DeviceConfig config, PowerProfile p, CellularProfile m, bool psm, double peakSunHours)
        {
            return PowerModel.SolarMahPerDay(p, peakSunHours) / (DailyMah(config, p, m, psm) + PowerModel.SelfDischargeMahPerDay(p));
        }

        /// <summary>The node's receive window after its publishes (NodeCycle.ReceiveWindowMs), ms.</summary>
        public const int NodeReceiveWindowMs = 1500;

        // One QoS 1 publish through the modem: the AT steps (topic, payload prompts) and a round trip to the PUBACK.
        private static int PublishMs(CellularProfile m)
        {
            return 100 + m.RoundTripMs;
        }
    }
}
