using IoTMonitor.Firmware.Core.Filters;
using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>One entry of the config's <c>sensors</c> array (docs/config.md).</summary>
    public sealed class SensorConfig
    {
        /// <summary>
        /// Most quantities one sensor entry may yield: 8 holds the common RS485 "7-in-1" soil probe
        /// (moisture, temperature, EC, pH, N, P, K) with one to spare.
        /// </summary>
        public const int MaxQuantities = 8;

        /// <summary>Most samples per round a sensor entry may ask for (<c>samples</c>, <c>stuckSamples</c>).</summary>
        public const int MaxSamples = 15;

#pragma warning disable CS1591 // documented key by key in docs/config.md
        public string Id;
        public string Kind;

        /// <summary>Quantity indexes (protocol §8), in the driver's channel order.</summary>
        public int[] Quantities = new int[0];
        public int Pin = -1;
        public int Bus = -1;
        public int Address = -1;
        public int Tx = -1;
        public int Rx = -1;
        public int Samples = 5;
        public FilterKind Filter = FilterKind.Median;
        public int WarmupMs;

        /// <summary>The converter of an analog entry: null for the ESP32's own ADC on <see cref="Pin"/>, <see cref="AdcAds1115"/> for an ADS1115 on <see cref="Bus"/>/<see cref="Address"/>.</summary>
        public string Adc;

        /// <summary>ADS1115 input AIN0…AIN3 (-1: none).</summary>
        public int Channel = -1;

        /// <summary>ADS1115 full-scale range in mV (256…6144; -1: the probe's default, SensorCatalog).</summary>
        public int FullScaleMv = -1;

        /// <summary>Consecutive identical samples that flag STUCK (0: off).</summary>
        public int StuckSamples = 0;

        /// <summary>Rain gauges: mm of rain per bucket tip (0.1, 0.2 or 0.5 on the gauges sold; 0 = the kind's default).</summary>
        public double MmPerTip;

        /// <summary>
        /// The probe's calibration record, applied to its driver once per wake; null when the entry
        /// has none (a calibratable probe then runs on its vendor defaults, flagged UNCALIBRATED).
        /// </summary>
        public CalibrationRecord Calibration;

        /// <summary>
        /// Days after its <c>at</c> that the record stops counting as a calibration (UNCALIBRATED
        /// again); -1: the config's <c>calMaxAgeDays</c> applies, 0: never expires.
        /// </summary>
        public int CalMaxAgeDays = -1;
#pragma warning restore CS1591

        /// <summary>The <c>adc</c> value that puts an analog entry on an ADS1115 channel.</summary>
        public const string AdcAds1115 = "ads1115";

        /// <summary>
        /// A copy of this entry with <paramref name="record"/> as its calibration: a remote record
        /// replaces the flashed one without touching the flashed entry (arrays are shared, as
        /// configs are immutable once loaded).
        /// </summary>
        public SensorConfig WithCalibration(CalibrationRecord record)
        {
            SensorConfig c = new SensorConfig();
            c.Id = Id;
            c.Kind = Kind;
            c.Quantities = Quantities;
            c.Pin = Pin;
            c.Bus = Bus;
            c.Address = Address;
            c.Tx = Tx;
            c.Rx = Rx;
            c.Samples = Samples;
            c.Filter = Filter;
            c.WarmupMs = WarmupMs;
            c.Adc = Adc;
            c.Channel = Channel;
            c.FullScaleMv = FullScaleMv;
            c.StuckSamples = StuckSamples;
            c.CalMaxAgeDays = CalMaxAgeDays;
            c.Calibration = record;
            return c;
        }
    }
}
