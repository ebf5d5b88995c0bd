using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// Battery life of a node from its config (sensors, <c>sampleSec</c>, <c>uploadSec</c>,
    /// <c>batchMax</c>), the sensor loads (<see cref="SensorLoads"/>) and a <see cref="PowerProfile"/>:
    /// per day = sampling wakes × (boot + rails on + persist) + upload wakes × radio phases
    /// + sleep floor × the rest of the day; life without sun = usable charge ÷ (daily charge +
    /// self-discharge). Every rail is on from the start of sampling until its last sample (the
    /// sampler waits for the longest warm-up, then reads all sensors), and off for the radio phases.
    /// </summary>
    public static class PowerModel
    {
        private const double SecondsPerDay = 86400;

        /// <summary>Average charge per day in mAh at the config's own intervals, every sensor on.</summary>
        public static double DailyMah(DeviceConfig config, PowerProfile p)
        {
            return DailyMah(config, p, config.SampleSec, config.UploadSec, false);
        }

        /// <summary>
        /// Average charge per day in mAh at <paramref name="sampleSec"/> / <paramref name="uploadSec"/>
        /// (a low-battery mode's stretched intervals), without the high-current sensors when
        /// <paramref name="skipHighCurrent"/>.
        /// </summary>
        public static double DailyMah(DeviceConfig config, PowerProfile p, int sampleSec, int uploadSec, bool skipHighCurrent)
        {
            int uploadEvery = uploadSec > sampleSec ? uploadSec : sampleSec;
            double wakesPerDay = SecondsPerDay / sampleSec;
            double uploadsPerDay = SecondsPerDay / uploadEvery;
            int readingsPerUpload = ReadingsPerWake(config, skipHighCurrent) * (uploadEvery / sampleSec);

            double sampleMas = wakesPerDay * SampleWakeMas(config, p, skipHighCurrent);
            double uploadMas = uploadsPerDay * UploadMs(config, p, readingsPerUpload) / 1000.0 * p.RadioMa;
            double awakeSec = (wakesPerDay * SampleWakeMs(config, p, skipHighCurrent) / 1000.0) + (uploadsPerDay * UploadMs(config, p, readingsPerUpload) / 1000.0);
            double sleepMas = (SecondsPerDay - awakeSec) * p.SleepFloorMa();
            return (sampleMas + uploadMas + sleepMas) / 3600.0;
        }

        /// <summary>Days until the usable charge is spent with no charging at all (night, overcast, or the cold-charge cutoff open).</summary>
        public static double LifeDays(DeviceConfig config, PowerProfile p)
        {
            return UsableMah(p) / (DailyMah(config, p) + SelfDischargeMahPerDay(p));
        }

        /// <summary>Life without sun in months (30.44 days).</summary>
        public static double LifeMonths(DeviceConfig config, PowerProfile p)
        {
            return LifeDays(config, p) / 30.44;
        }

        /// <summary>Charge above the cut-off, mAh.</summary>
        public static double UsableMah(PowerProfile p)
        {
            return p.CapacityMah * p.UsableFraction;
        }

        /// <summary>Self-discharge, mAh per day.</summary>
        public static double SelfDischargeMahPerDay(PowerProfile p)
        {
            return p.CapacityMah * p.SelfDischargePerYear / 365.0;
        }

        /// <summary>
        /// Charge the panel puts into the pack per day at <paramref name="peakSunHours"/> (kWh/m²·day on
        /// the panel plane), mAh: W × PSH × efficiency ÷ pack volts.
        /// </summary>
        public static double SolarMahPerDay(PowerProfile p, double peakSunHours)
        {
            return p.PanelWatts * peakSunHours * p.SolarEfficiency / p.PackVolts * 1000;
        }

        /// <summary>Solar charge per day ÷ load per day (self-discharge included): ≥ 1 means the node runs on the sun at that PSH.</summary>
        public static double SolarMargin(DeviceConfig config, PowerProfile p, double peakSunHours)
        {
            return SolarMahPerDay(p, peakSunHours) / (DailyMah(config, p) + SelfDischargeMahPerDay(p));
        }

        /// <summary>Awake time of a sampling wake that does not upload, ms.</summary>
        public static int SampleWakeMs(DeviceConfig config, PowerProfile p)
        {
            return SampleWakeMs(config, p, false);
        }

        /// <summary>Awake time of a sampling wake that does not upload, ms: boot + rails on + persist (+ Wi-Fi join when every wake joins).</summary>
        public static int SampleWakeMs(DeviceConfig config, PowerProfile p, bool skipHighCurrent)
        {
            int ms = p.BootMs + RailsOnMs(config, p, skipHighCurrent) + p.PersistMs;
            return p.WifiOnEveryWake ? ms + p.WifiJoinMs + p.DhcpMs : ms;
        }

        /// <summary>
        /// What an upload adds to a sampling wake, ms: join + DHCP (unless every wake joins anyway), MQTT
        /// connect, SNTP, the online status, the telemetry batches, the sleeping status, and the receive window.
        /// </summary>
        public static int UploadMs(DeviceConfig config, PowerProfile p, int readings)
        {
            if (p.MeasuredUploadMs > 0)
            {
                int measured = p.WifiOnEveryWake ? p.MeasuredUploadMs - p.WifiJoinMs - p.DhcpMs : p.MeasuredUploadMs;
                return measured > 0 ? measured : 0;
            }

            int batchMax = config.BatchMax < 1 ? 1 : config.BatchMax;
            int batches = (readings + batchMax - 1) / batchMax;
            int publishes = batches + 2;
            int ms = p.MqttConnectMs + p.SntpMs + (publishes * p.PublishMs) + p.ReceiveWindowMs;
            return p.WifiOnEveryWake ? ms : ms + p.WifiJoinMs + p.DhcpMs;
        }

        /// <summary>Readings one sampling wake queues (one per configured quantity of the sensors sampled).</summary>
        public static int ReadingsPerWake(DeviceConfig config, bool skipHighCurrent)
        {
            int n = 0;
            for (int i = 0; i < config.Sensors.Length; i++)
            {
                SensorConfig s = config.Sensors[i];
                if (!skipHighCurrent || !SensorLoads.For(s, 3.7, 1).HighCurrent)
                {
                    n += s.Quantities.Length;
                }
            }

            return n;
        }

        /// <summary>
        /// Time the sensor rails are on in a sampling wake, ms: the longest wait after power-on
        /// (<see cref="SensorSettle.WaitMs"/>: datasheet settle or config warmupMs, whichever is
        /// longer; the sampler waits it once for all rails) plus every sensor's samples one after another.
        /// </summary>
        public static int RailsOnMs(DeviceConfig config, PowerProfile p, bool skipHighCurrent)
        {
            int warm = 0;
            int sampling = 0;
            for (int i = 0; i < config.Sensors.Length; i++)
            {
                SensorConfig s = config.Sensors[i];
                SensorLoad l = SensorLoads.For(s, p.PackVolts, p.BoostEfficiency);
                if (skipHighCurrent && l.HighCurrent)
                {
                    continue;
                }

                int w = SensorSettle.WaitMs(s.Kind, s.WarmupMs);
                warm = w > warm ? w : warm;
                sampling += s.Samples * l.SampleMs;
            }

            return warm + sampling;
        }

        /// <summary>Charge of one sampling wake without upload, mA·s.</summary>
        public static double SampleWakeMas(DeviceConfig config, PowerProfile p, bool skipHighCurrent)
        {
            double sensorsMa = 0;
            double measurementsMas = 0;
            for (int i = 0; i < config.Sensors.Length; i++)
            {
                SensorLoad l = SensorLoads.For(config.Sensors[i], p.PackVolts, p.BoostEfficiency);
                if (!skipHighCurrent || !l.HighCurrent)
                {
                    sensorsMa += l.PackMa;
                    measurementsMas += l.WakeMas;
                }
            }

            if (config.RtcBus >= 0)
            {
                // The DS3231's VCC is on the sensor rail (hardware/common/rtc-backup.md); its own
                // transfers outside the round (a power-on read, a write after a sync) last milliseconds.
                sensorsMa += p.RtcVccMa;
            }

            double rails = RailsOnMs(config, p, skipHighCurrent) / 1000.0;
            double cpu = (p.BootMs + p.PersistMs) / 1000.0 * p.CpuMa;
            double join = p.WifiOnEveryWake ? (p.WifiJoinMs + p.DhcpMs) / 1000.0 * p.RadioMa : 0;
            return cpu + (rails * (p.CpuMa + sensorsMa)) + measurementsMas + join;
        }
    }
}
