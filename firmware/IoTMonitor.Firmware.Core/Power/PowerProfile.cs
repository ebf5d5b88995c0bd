namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// Currents, durations and battery figures behind <see cref="PowerModel"/>. Datasheet figures
    /// are cited (../shared/reference/standards-and-datasheets.md §B8: ESP32 Series Datasheet and
    /// ESP32-WROOM-32E v2.0 Table 16; NCR18650B storage); durations and board overheads are
    /// assumptions, marked as such, to be replaced by bench measurements (docs in firmware/README.md).
    /// </summary>
    public sealed class PowerProfile
    {
        /// <summary>ESP32 deep sleep, RTC timer + RTC memory: 10 µA (ESP32 Series Datasheet).</summary>
        public double ChipDeepSleepMa = 0.010;

        /// <summary>Board in deep sleep besides the chip: low-Iq LDO, 2 MΩ battery divider, gated sensors (assumption).</summary>
        public double BoardSleepMa = 0.015;

        /// <summary>CPU active, radio off (modem-sleep at 240 MHz is 30–68 mA; mid value, datasheet).</summary>
        public double ActiveMa = 50;

        /// <summary>Sensors powered during a sampling wake, average (assumption: analog probes ~5 mA each).</summary>
        public double SensorsMa = 10;

        /// <summary>
        /// WiFi connected, mostly receiving with TX bursts: RX 95–112 mA, TX 11n 183 mA avg / 11b 239 mA
        /// (datasheet; WROOM-32E Table 16); 130 mA average assumed for connect + MQTT exchange.
        /// </summary>
        public double RadioMa = 130;

        /// <summary>nanoFramework start after a deep-sleep wake until Main runs the cycle, ms (assumption).</summary>
        public int BootMs = 1000;

        /// <summary>Sampling itself (N samples, flash append), ms (assumption; the Sampler's gaps are 20 ms).</summary>
        public int SamplingMs = 500;

        /// <summary>WiFi association + DHCP + MQTT connect + publishes + receive window, ms (assumption; unconfirmed in the datasheet).</summary>
        public int UploadMs = 4000;

        /// <summary>Nominal pack capacity, mAh (2 × 18650 in parallel, 3000 mAh each).</summary>
        public double CapacityMah = 6000;

        /// <summary>
        /// Fraction of capacity usable above the brown-out cut-off and after cold derating
        /// (assumption; cut-off 2.5–2.75 V per the 18650 figures, the 3.3 V LDO drops out earlier).
        /// </summary>
        public double UsableFraction = 0.85;

        /// <summary>Self-discharge per year as a fraction of capacity: NCR18650B keeps ≥ 80 % after a year stored (§B8).</summary>
        public double SelfDischargePerYear = 0.20;
    }
}
