namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// Currents, wake durations and battery figures behind <see cref="PowerModel"/> (sensor
    /// currents: <see cref="SensorLoads"/>). Datasheet figures name their source (full titles in
    /// docs/references.md, "Energy"); durations are inputs marked "assumed", to be replaced by the
    /// awake times the runtime model measures and by bench measurements (hardware/common/power.md §7).
    /// </summary>
    public sealed class PowerProfile
    {
        /// <summary>Pack voltage the currents are taken at (18650 nominal 3.6–3.7 V).</summary>
        public double PackVolts = 3.7;

        /// <summary>ESP32 deep sleep, RTC timer + RTC memory: 10 µA (ESP32 Series Datasheet, power consumption by mode).</summary>
        public double ChipDeepSleepMa = 0.010;

        /// <summary>RT9080-33 ground current at no load: 2 µA (Richtek DS9080-00, electrical characteristics).</summary>
        public double LdoQuiescentMa = 0.002;

        /// <summary>Battery divider to GPIO35: 100 kΩ + 100 kΩ (hardware/*/bom.csv), always across the pack.</summary>
        public double DividerOhms = 200000;

        /// <summary>
        /// Cold-charge cutoff: NTC divider 100 kΩ + 100 kΩ (at 25 °C) and reference divider 2.7 MΩ + 1 MΩ across
        /// the pack, plus the TLV3691's 75 nA (TI TLV3691 datasheet). Computed at <see cref="PackVolts"/> by <see cref="ColdCutoffMa"/>.
        /// </summary>
        public double ColdCutoffOhmsNtc = 200000;

        /// <summary>Reference divider of the cold-charge cutoff, Ω.</summary>
        public double ColdCutoffOhmsRef = 3700000;

        /// <summary>TLV3691 supply current, mA (TI TLV3691 datasheet: 75 nA typ.).</summary>
        public double ComparatorMa = 0.000075;

        /// <summary>DW01A protection IC operating current: 3 µA typ. (DW01A datasheet, supply current).</summary>
        public double BmsMa = 0.003;

        /// <summary>
        /// CN3791 module back-drain from the pack with no panel voltage (night): not published in
        /// the datasheet excerpt we have. Estimate 10 µA; measure (power.md §7, step 2).
        /// </summary>
        public double ChargerDrainMa = 0.010;

        /// <summary>
        /// Leakage of the off rail switches (AO3401A/2N7002 I_DSS ≤ 1 µA at rated voltage, far less at
        /// 4 V) and of the EXT0 wake's RTC peripheral domain: estimate 5 µA for the board; measure.
        /// </summary>
        public double BoardLeakMa = 0.005;

        /// <summary>
        /// The DS3231 backup RTC on its supply pin while the sensor rail is on (its VCC sits on 3V3_SENS,
        /// hardware/common/rtc-backup.md): at most 200 µA with the I2C bus active, 110 µA standby, at
        /// VCC = 3.63 V (DS3231 datasheet 19-5170 Rev 10, Electrical Characteristics, I<sub>CCA</sub> and
        /// I<sub>CCS</sub>); the active maximum is used for the whole rails-on time. With the rail off the
        /// chip runs from its CR2032 (I<sub>BATT</sub> 0.84 µA typ., 3.0 µA max at VBAT = 3.63 V, same table),
        /// so it adds nothing to <see cref="SleepFloorMa"/>: the pack never feeds it in deep sleep.
        /// </summary>
        public double RtcVccMa = 0.2;

        /// <summary>CPU on, radio off: modem-sleep at 240 MHz is 30–68 mA (ESP32 Series Datasheet); 50 mA used.</summary>
        public double CpuMa = 50;

        /// <summary>
        /// Radio phases (join, DHCP, MQTT, SNTP, receive window): mostly receiving, RX 95–100 mA (ESP32
        /// Series Datasheet) / 112 mA (ESP32-WROOM-32E v2.0 Table 16), with TX bursts at 183–239 mA: 120 mA average assumed.
        /// </summary>
        public double RadioMa = 120;

        /// <summary>Boost converters (MT3608): efficiency at 5–24 V out from a 3.7 V pack, assumed 0.85 (datasheet curves reach 0.9 at light load; measure).</summary>
        public double BoostEfficiency = 0.85;

        /// <summary>ROM + bootloader + nanoCLR start + config load after a deep-sleep wake until NodeCycle runs, ms (assumed; measured by the runtime model's awake time).</summary>
        public int BootMs = 1500;

        /// <summary>Committing the queue and state files before sleep, ms (assumed: a few LittleFS commits).</summary>
        public int PersistMs = 200;

        /// <summary>Wi-Fi scan + authenticate + associate, ms (assumed: the ESP32 datasheet gives no connect time).</summary>
        public int WifiJoinMs = 2500;

        /// <summary>DHCP lease, ms (assumed).</summary>
        public int DhcpMs = 800;

        /// <summary>DNS + TCP connect + MQTT CONNECT/CONNACK + SUBSCRIBE/SUBACK on the LAN, ms (assumed).</summary>
        public int MqttConnectMs = 500;

        /// <summary>SNTP on every upload wake: the first request goes ≥ 2 s after the IP (nanoFramework lwIP SNTP_STARTUP_DELAY), ms.</summary>
        public int SntpMs = 2000;

        /// <summary>One QoS 1 publish until its PUBACK on the LAN, ms (assumed; a missing PUBACK costs ~3 s: M2Mqtt resends twice at 1 s).</summary>
        public int PublishMs = 300;

        /// <summary>Listening for retained config and queued commands after the upload, ms (NodeCycle.ReceiveWindowMs).</summary>
        public int ReceiveWindowMs = 1500;

        /// <summary>
        /// What an upload adds to a wake, measured on the runtime model: the ESP32 app's own flow (Wi-Fi
        /// join, the hourly RSSI scan, DNS, MQTT connect and SUBACK with the real gateway, SNTP until the
        /// clock step lands, online status, batch, sleeping status, receive window), as the short soak's
        /// clean timer wakes show it: upload-wake awake time − sampling-only awake time, water 6,081 ms,
        /// soil 6,414 ms, air 6,760 ms; their mean. It replaces the sum of the assumed phases above
        /// (8,200 ms) in <see cref="PowerModel.UploadMs"/>; 0 falls back to that sum. The model's join
        /// (2.5 s) is still an estimate: measure on a bench board (power.md §7, step 3).
        /// </summary>
        public int MeasuredUploadMs = 6418;

        /// <summary>
        /// True when every wake joins Wi-Fi (nanoFramework auto-joins before Main whenever a config is
        /// saved with AutoConnect); false when only upload wakes do (the intended firmware).
        /// </summary>
        public bool WifiOnEveryWake;

        /// <summary>Nominal pack capacity, mAh (1S2P of 3000 mAh 18650 cells, hardware/*/bom.csv).</summary>
        public double CapacityMah = 6000;

        /// <summary>
        /// Fraction of capacity usable: above the policy's cut-off (≈ 3.35 V, the LDO dropout limit) and after
        /// cold derating. Estimate 0.7 (hardware/common/power.md §5).
        /// </summary>
        public double UsableFraction = 0.7;

        /// <summary>Self-discharge per year as a fraction of capacity: NCR18650B keeps ≥ 80 % after a year stored.</summary>
        public double SelfDischargePerYear = 0.20;

        /// <summary>Panel rating, W (6 V 5 W panel, hardware/*/bom.csv).</summary>
        public double PanelWatts = 5;

        /// <summary>Panel-to-pack efficiency: charger ~85 % × battery round trip ~90 % × heat, dust, mismatch ~80 % ≈ 0.6 (estimate, power.md §5).</summary>
        public double SolarEfficiency = 0.6;

        /// <summary>
        /// Pack current in deep sleep, mA: chip, LDO, battery divider, cold cutoff, BMS, charger
        /// back-drain, switch leakage. The DS3231 is not in it: its VCC is on the switched rail and it
        /// keeps time on its own cell (<see cref="RtcVccMa"/>).
        /// </summary>
        public double SleepFloorMa()
        {
            return ChipDeepSleepMa + LdoQuiescentMa + DividerMa() + ColdCutoffMa() + BmsMa + ChargerDrainMa + BoardLeakMa;
        }

        /// <summary>The 100k/100k battery divider's current at <see cref="PackVolts"/>, mA.</summary>
        public double DividerMa()
        {
            return PackVolts / DividerOhms * 1000;
        }

        /// <summary>The cold-charge cutoff's dividers and comparator at <see cref="PackVolts"/>, mA.</summary>
        public double ColdCutoffMa()
        {
            return (PackVolts / ColdCutoffOhmsNtc * 1000) + (PackVolts / ColdCutoffOhmsRef * 1000) + ComparatorMa;
        }
    }
}
