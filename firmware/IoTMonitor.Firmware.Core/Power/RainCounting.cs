namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// How the node counts rain-gauge tips while the ESP32 deep-sleeps, and what each way costs per
    /// mm of rain (Sensors/Rain/README.md "Counting during deep sleep"; hardware/common/power.md §8).
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><see cref="WakePerTip"/>: the reed switch on an EXT1 pin wakes the chip at each tip. A wake
    /// is a reset on nanoFramework (the CLR boots again) and there is no managed RTC memory, so each
    /// tip costs a boot plus a state commit to flash: energy ∝ tips, and one flash write per tip.</item>
    /// <item><see cref="ExternalCounter"/>: a PCF8593 event counter behind a Schmitt buffer counts the
    /// tips on the always-on rail; the node reads it at its scheduled wakes: a standing current plus the
    /// reed pull-up while the switch is closed.</item>
    /// <item><see cref="PoweredGauge"/>: an RS485 gauge that counts itself must stay powered between
    /// wakes (switched off, its count restarts): its supply current all the time.</item>
    /// </list>
    /// </remarks>
    public static class RainCounting
    {
#pragma warning disable CS1591 // the three ways, described above
        public const int WakePerTip = 0;
        public const int ExternalCounter = 1;
        public const int PoweredGauge = 2;
#pragma warning restore CS1591

        /// <summary>PCF8593 operating current at fSCL = 0 Hz: 1 µA typ. at VDD 2.0 V (NXP PCF8593 data sheet Rev. 04, §2).</summary>
        public const double CounterMa = 0.001;

        /// <summary>SN74LVC1G17 Schmitt buffer supply current: 10 µA max (TI SN74LVC1G17 data sheet, ICC); the maximum is used.</summary>
        public const double SchmittMa = 0.010;

        /// <summary>Reed pull-up to 3.3 V: 100 kΩ, 33 µA while the switch is closed.</summary>
        public const double PullUpMa = 0.033;

        /// <summary>How long the reed stays closed per tip, s: 0.1 assumed (the magnet sweeps past it; measure).</summary>
        public const double ClosedSecondsPerTip = 0.1;

        /// <summary>Standing current of the external counter, mA (counter + Schmitt buffer, no rain).</summary>
        public static double CounterStandingMa()
        {
            return CounterMa + SchmittMa;
        }

        /// <summary>Charge per tip of a wake per tip (boot + state commit at CPU current), mAh.</summary>
        public static double WakeMahPerTip(PowerProfile p)
        {
            return (p.BootMs + p.PersistMs) / 1000.0 * p.CpuMa / 3600.0;
        }

        /// <summary>Supply current at the pack of an RS485 gauge kept on: the RS485 probe load of <see cref="SensorLoads"/> (12 V boost + MAX3485).</summary>
        public static double PoweredGaugeMa(PowerProfile p)
        {
            return (12 * SensorLoads.SoilProbeAt12VMa / (p.PackVolts * p.BoostEfficiency)) + SensorLoads.Max3485Ma;
        }

        /// <summary>
        /// Charge per mm of rain, mAh, counting with <paramref name="way"/> at <paramref name="mmPerHour"/>
        /// with a bucket of <paramref name="mmPerTip"/>: what counting adds during rain.
        /// </summary>
        public static double MahPerMm(int way, double mmPerHour, double mmPerTip, PowerProfile p)
        {
            double tipsPerMm = 1.0 / mmPerTip;
            double hoursPerMm = 1.0 / mmPerHour;
            switch (way)
            {
                case WakePerTip:
                    return tipsPerMm * WakeMahPerTip(p);
                case ExternalCounter:
                    return (CounterStandingMa() * hoursPerMm) + (tipsPerMm * PullUpMa * ClosedSecondsPerTip / 3600.0);
                default:
                    return PoweredGaugeMa(p) * hoursPerMm;
            }
        }

        /// <summary>Charge per day with no rain, mAh (only the standing currents cost anything then).</summary>
        public static double DryDayMah(int way, PowerProfile p)
        {
            switch (way)
            {
                case WakePerTip:
                    return 0;
                case ExternalCounter:
                    return CounterStandingMa() * 24;
                default:
                    return PoweredGaugeMa(p) * 24;
            }
        }
    }
}
