using IoTMonitor.Firmware.Core.Sensors.Scd4x;

namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// What each sensor's datasheet asks for after its supply rail switches on: how long until it
    /// takes commands (<see cref="ReadyMs"/>), how long until its first reading may be kept
    /// (<see cref="SettleMs"/>), and whether the first reading after power-up must be thrown away
    /// (<see cref="DiscardsFirstReading"/>), by the config's sensor kind (Sensors does not depend on
    /// Config). The sampler waits these (Sampling/Sampler) and the power
    /// model counts them (Power/SensorLoads): one table for both. Sources per figure; full titles in
    /// docs/references.md, "Sensor settle times". A kind with no published figure gets 0 here and
    /// relies on the config's <c>warmupMs</c> (hardware/common/power.md §7 says how to measure it).
    /// </summary>
    public static class SensorSettle
    {
        /// <summary>
        /// SCD4x: "after reaching [2.25 V] the sensor needs 1000 ms to enter the idle state", and only
        /// then takes commands (Sensirion SCD4x datasheet v1.3, §3.1 "Power-Up and Communication Start").
        /// </summary>
        public const int Scd41PowerUpMs = 1000;

        /// <summary>
        /// BME280 start-up time t_startup, "time to first communication after both VDD &gt; 1.58 V and
        /// VDDIO &gt; 0.65 V": 2 ms max (Bosch BME280 datasheet BST-BME280-DS002, Table 1).
        /// </summary>
        public const int Bme280StartUpMs = 2;

        /// <summary>
        /// PMS5003: "stable data should be got at least 30 seconds after the sensor wakeup from the
        /// sleep mode because of the fan's performance" (Plantower PMS5003 manual v2.3, note to the
        /// serial protocol). Power-on is a wake-up: the fan starts with the rail.
        /// </summary>
        public const int Pms5003FanMs = 30000;

        /// <summary>
        /// SDS011: the spec gives only a 1 s response time; its own working-period mode runs the fan
        /// 30 s before reporting (Nova SDS011 laser dust sensor control protocol V1.3, command 8), the
        /// figure used here.
        /// </summary>
        public const int Sds011FanMs = 30000;

        /// <summary>
        /// RS485 soil probe (ComWinTop CWT soil sensor, NPK type, manual V1.4): no power-up time is
        /// published; its response times are EC ≤ 1 s and N/P/K &lt; 1 s (temperature ≤ 15 s, pH
        /// ≤ 10 s for a step in the soil). Power-on is taken as such a step for the quantities the
        /// shipped soil config reads (EC, N, P, K): 1 s.
        /// </summary>
        public const int SoilProbeMs = 1000;

        /// <summary>Time from rail on until a sensor of config kind <paramref name="kind"/> takes commands, ms (the sampler initializes no sensor earlier).</summary>
        public static int ReadyMs(string kind)
        {
            if (kind == "scd4x")
            {
                return Scd41PowerUpMs;
            }

            return kind == "bme280" ? Bme280StartUpMs : 0;
        }

        /// <summary>
        /// Time from rail on until the first reading of a sensor of kind <paramref name="kind"/> that may be kept, ms, per
        /// the datasheet; the config's <c>warmupMs</c> may ask for longer. SCD41: power-up, then one
        /// single shot to discard and the one kept (2 × 5 s, <see cref="Scd4xCommand.SingleShotMs"/>).
        /// </summary>
        public static int SettleMs(string kind)
        {
            if (kind == "scd4x")
            {
                return Scd41PowerUpMs + (2 * Scd4xCommand.SingleShotMs);
            }

            if (kind == "bme280")
            {
                return Bme280StartUpMs;
            }

            if (kind == "pms5003")
            {
                return Pms5003FanMs;
            }

            if (kind == "sds011")
            {
                return Sds011FanMs;
            }

            return kind == "modbus" ? SoilProbeMs : 0;
        }

        /// <summary>
        /// True when the first reading after power-up is to be thrown away: the SCD41, "after a power
        /// cycle, the initial single shot reading should be discarded" (SCD4x datasheet v1.3, §3.10).
        /// </summary>
        public static bool DiscardsFirstReading(string kind)
        {
            return kind == "scd4x";
        }

        /// <summary>The longer of the datasheet settle and the config's <c>warmupMs</c>, ms from rail on: what the sampler waits and the power model counts.</summary>
        public static int WaitMs(string kind, int warmupMs)
        {
            int settle = SettleMs(kind);
            return warmupMs > settle ? warmupMs : settle;
        }
    }
}
