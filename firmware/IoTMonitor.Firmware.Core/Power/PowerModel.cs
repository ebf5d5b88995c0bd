using IoTMonitor.Firmware.Core.Config;

namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// Battery-life estimate from the config's schedule and a <see cref="PowerProfile"/>:
    /// charge per day = sampling wakes × (active + sensors) × wake time + uploads × radio × upload time
    /// + sleep current × 24 h; life = usable charge ÷ (daily charge + daily self-discharge).
    /// </summary>
    public static class PowerModel
    {
        private const double SecondsPerDay = 86400;

        /// <summary>Average charge per day in mAh.</summary>
        public static double DailyMah(DeviceConfig config, PowerProfile p)
        {
            double wakesPerDay = SecondsPerDay / config.SampleSec;
            int uploadEvery = config.UploadSec > config.SampleSec ? config.UploadSec : config.SampleSec;
            double uploadsPerDay = SecondsPerDay / uploadEvery;
            double sampleWakeSec = SampleWakeMs(config, p) / 1000.0;
            double uploadSec = p.UploadMs / 1000.0;

            double sampleMas = wakesPerDay * sampleWakeSec * (p.ActiveMa + p.SensorsMa);
            double uploadMas = uploadsPerDay * uploadSec * p.RadioMa;
            double awakeSecPerDay = (wakesPerDay * sampleWakeSec) + (uploadsPerDay * uploadSec);
            double sleepMas = (SecondsPerDay - awakeSecPerDay) * (p.ChipDeepSleepMa + p.BoardSleepMa);
            return (sampleMas + uploadMas + sleepMas) / 3600.0;
        }

        /// <summary>Estimated days until the usable charge is spent.</summary>
        public static double LifeDays(DeviceConfig config, PowerProfile p)
        {
            double usable = p.CapacityMah * p.UsableFraction;
            double selfPerDay = p.CapacityMah * p.SelfDischargePerYear / 365.0;
            return usable / (DailyMah(config, p) + selfPerDay);
        }

        /// <summary>Estimated life in months (30.44 days).</summary>
        public static double LifeMonths(DeviceConfig config, PowerProfile p)
        {
            return LifeDays(config, p) / 30.44;
        }

        /// <summary>Awake time of a sampling wake: boot + longest sensor warm-up + sampling, ms.</summary>
        public static int SampleWakeMs(DeviceConfig config, PowerProfile p)
        {
            int warm = 0;
            for (int i = 0; i < config.Sensors.Length; i++)
            {
                warm = config.Sensors[i].WarmupMs > warm ? config.Sensors[i].WarmupMs : warm;
            }

            return p.BootMs + warm + p.SamplingMs;
        }
    }
}
