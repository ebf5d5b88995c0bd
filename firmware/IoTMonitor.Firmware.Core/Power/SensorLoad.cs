namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// What one configured sensor costs the pack while its rail is on (<see cref="SensorLoads"/>):
    /// current at the pack, the charge of its measurements per wake, the datasheet's settle time after
    /// power-up, the time one sample takes, and whether the low-battery policy may leave it off.
    /// </summary>
    public sealed class SensorLoad
    {
        /// <summary>Current drawn from the pack while powered, mA (boost losses included).</summary>
        public double PackMa;

        /// <summary>
        /// Charge drawn per wake on top of <see cref="PackMa"/> × rails-on time, mA·s: a sensor whose
        /// datasheet gives energy per measurement rather than a current (SCD41 single shots).
        /// </summary>
        public double WakeMas;

        /// <summary>Time from rail on to the first reading that may be kept, ms (<see cref="Sensors.SensorSettle.SettleMs"/>; the config's warmupMs may be longer).</summary>
        public int SettleMs;

        /// <summary>Time one sample takes, ms (conversion, frame or transaction time plus the sampler's gap).</summary>
        public int SampleMs;

        /// <summary>
        /// A particle or CO2 sensor: tens to hundreds of mA for seconds, and not what a water or
        /// soil node exists for, so the survival mode skips it (<see cref="PowerPolicy"/>).
        /// </summary>
        public bool HighCurrent;

        /// <summary>True when <see cref="PackMa"/> is a datasheet figure; false: an estimate to measure on the bench (hardware/common/power.md §7).</summary>
        public bool Datasheet;
    }
}
