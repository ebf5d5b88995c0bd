using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// Supply current and timing of each sensor the configs can name, by kind (and, for
    /// <c>analog</c>, by the probe its first quantity picks). Sources are named per figure (full
    /// titles in docs/references.md, "Energy"); "estimate" marks a figure no datasheet gives, to be
    /// replaced by the bench measurement of hardware/common/power.md §7.
    /// </summary>
    public static class SensorLoads
    {
        /// <summary>DS18B20 active current 1 mA typ. (1.5 mA max); 12-bit conversion 750 ms max (Maxim DS18B20 datasheet, DC characteristics and conversion time).</summary>
        public const double Ds18b20Ma = 1.0;

        /// <summary>DS18B20 12-bit conversion time, ms (Maxim DS18B20 datasheet).</summary>
        public const int Ds18b20ConversionMs = 750;

        /// <summary>BME280 in forced mode, T+P+H at ×1: 0.35–0.71 mA for 9.3 ms (Bosch BST-BME280-DS002 §3.5, measurement time formula).</summary>
        public const double Bme280Ma = 0.7;

        /// <summary>
        /// SCD41 idle current between single shots: 0.15 mA typ., 0.2 mA max (Sensirion SCD4x datasheet
        /// v1.3, §3.10); the max is used. Through the RT9080 LDO the pack sees the same current.
        /// </summary>
        public const double Scd41IdleMa = 0.2;

        /// <summary>
        /// SCD41 charge of one single shot at 3.3 V: 296 mJ max (243 mJ typ.) per shot (SCD4x datasheet
        /// v1.3, §3.10) ÷ 3.3 V = 89.7 mA·s (computed).
        /// </summary>
        public const double Scd41ShotMas = 296.0 / 3.3;

        /// <summary>PMS5003 active current ≤ 100 mA at 5 V (Plantower PMS5003 manual v2.3, technical index).</summary>
        public const double Pms5003At5VMa = 100;

        /// <summary>Nova SDS011 "&gt; 1 W" at 5 V (SDS011 spec V1.3): ≥ 200 mA at 5 V; same 30 s fan spin-up as the working-period mode.</summary>
        public const double Sds011At5VMa = 200;

        /// <summary>SEN0189 turbidity sensor, 40 mA max at 5 V (DFRobot SEN0189 product wiki, specification).</summary>
        public const double TurbidityAt5VMa = 40;

        /// <summary>4–20 mA level transmitter at 20 mA (NAMUR NE43 upper limit of the live range), 24 V loop: the worst case.</summary>
        public const double LevelLoopMa = 20;

        /// <summary>Loop supply voltage of the level transmitter (hardware/water/bom.csv: MT3608 set to 24 V).</summary>
        public const double LevelLoopVolts = 24;

        /// <summary>Capacitive soil moisture v1.2: ~5 mA (DFRobot SEN0193 wiki, specification).</summary>
        public const double SoilMoistureMa = 5;

        /// <summary>
        /// pH (SEN0161-V2/SEN0169-V2 class), EC (DFR0300) and DO (SEN0237) signal boards: no supply
        /// current in their wikis. Estimate 5 mA each (op-amp boards); measure (power.md §7).
        /// </summary>
        public const double AnalogBoardMa = 5;

        /// <summary>RS485 soil probe at 12 V: vendor-specific, not published for the CWT probe. Estimate 15 mA at 12 V; measure.</summary>
        public const double SoilProbeAt12VMa = 15;

        /// <summary>MAX3485 supply current, DE high, no load: 1.1 mA max (Maxim MAX3483/MAX3485 datasheet, DC characteristics).</summary>
        public const double Max3485Ma = 1.1;

        /// <summary>One Modbus RTU transaction at 4800 8N1: request 8 + response ~19 bytes × 11 bits ≈ 62 ms plus t3.5 gaps and the probe's reply latency (estimate 150 ms).</summary>
        public const int ModbusTransactionMs = 150;

        /// <summary>One PMS5003 frame arrives about every second in active mode (manual v2.3); the sampler waits for the next frame.</summary>
        public const int UartFrameMs = 1000;

        /// <summary>
        /// The load of <paramref name="sensor"/> on a pack at <paramref name="packVolts"/> whose boost
        /// converters run at <paramref name="boostEfficiency"/>; the battery divider entry costs nothing
        /// here (it is always on and counted in the sleep floor).
        /// </summary>
        public static SensorLoad For(SensorConfig sensor, double packVolts, double boostEfficiency)
        {
            SensorLoad l = new SensorLoad();
            l.SampleMs = Sampler.SampleGapMs;
            l.SettleMs = SensorSettle.SettleMs(sensor.Kind);
            l.Datasheet = true;
            string kind = sensor.Kind;
            int q = sensor.Quantities.Length > 0 ? sensor.Quantities[0] : Quantities.Unknown;
            double boost = packVolts * boostEfficiency;
            if (kind == "ds18b20")
            {
                l.PackMa = Ds18b20Ma;
                l.SampleMs = Ds18b20ConversionMs + Sampler.SampleGapMs;
            }
            else if (kind == "bme280")
            {
                l.PackMa = Bme280Ma;
                l.SampleMs = 10 + Sampler.SampleGapMs;
            }
            else if (kind == "scd4x" || kind == "scd30")
            {
                // Two shots per wake: the first after power-up is discarded (SensorSettle).
                l.PackMa = Scd41IdleMa;
                l.WakeMas = (SensorSettle.DiscardsFirstReading(sensor.Kind) ? 2 : 1) * Scd41ShotMas;
                l.HighCurrent = true;
            }
            else if (kind == "pms5003")
            {
                l.PackMa = 5 * Pms5003At5VMa / boost;
                l.SampleMs = UartFrameMs;
                l.HighCurrent = true;
            }
            else if (kind == "sds011")
            {
                l.PackMa = 5 * Sds011At5VMa / boost;
                l.SampleMs = UartFrameMs;
                l.HighCurrent = true;
            }
            else if (kind == "modbus" || kind == "rain-modbus")
            {
                l.PackMa = (12 * SoilProbeAt12VMa / boost) + Max3485Ma;
                l.SampleMs = ModbusTransactionMs;
                l.Datasheet = false;
            }
            else if (kind == "flow-tuf2000")
            {
                // The meter runs from its own supply (it must, to keep totalising): the node pays the transceiver only.
                l.PackMa = Max3485Ma;
                l.SampleMs = ModbusTransactionMs;
            }
            else if (kind == "analog" || kind == "battery")
            {
                ForAnalog(l, q, boost);
            }
            else
            {
                l.Datasheet = false;
            }

            return l;
        }

        private static void ForAnalog(SensorLoad l, int q, double boost)
        {
            if (q == Quantities.DeviceBattery)
            {
                l.PackMa = 0;
            }
            else if (q == Quantities.WaterTurbidity)
            {
                l.PackMa = 5 * TurbidityAt5VMa / boost;
            }
            else if (q == Quantities.WaterLevel)
            {
                l.PackMa = LevelLoopVolts * LevelLoopMa / boost;
            }
            else if (q == Quantities.SoilMoisture)
            {
                l.PackMa = SoilMoistureMa;
            }
            else
            {
                l.PackMa = AnalogBoardMa;
                l.Datasheet = false;
            }
        }
    }
}
