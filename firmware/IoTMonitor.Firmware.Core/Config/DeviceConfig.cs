using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>
    /// The device config document (docs/config.md) as plain fields. The constructor gives the
    /// safe defaults the node runs with when the stored config is missing or invalid: it keeps
    /// sampling and queueing, and tries the default broker so it can report the error.
    /// </summary>
    public sealed class DeviceConfig
    {
        /// <summary>Most sensor entries a config may have (the sampler's buffers are sized for them).</summary>
        public const int MaxSensors = 16;

#pragma warning disable CS1591 // documented key by key in docs/config.md
        public string Device = "unconfigured";
        public string Site = "unconfigured";
        public string Type = "water";
        public string WifiSsid = "";
        public string WifiPassword = "";
        public string MqttHost = "iotmon-gateway.local";
        public int MqttPort = 1883;
        public string MqttUser = "";
        public string MqttPassword = "";
        public bool MqttTls;

        /// <summary>The node reports over a cellular modem (config <c>cellular</c>) instead of Wi-Fi.</summary>
        public bool Cellular;

        /// <summary>Ask the network for PSM between uploads (config <c>cellular.psm</c>, default true; granted or not, docs/cellular.md "Power mode").</summary>
        public bool CellularPsm = true;

        /// <summary>Battery voltage below which the modem is not powered, V (config <c>cellular.minV</c>; 0 = no limit).</summary>
        public double CellularMinVolts = 3.7;

        /// <summary>The modem's AT family (Cellular/ModemKind: 0 SIMCom A76XX, 1 Quectel, 2 SIMCom SIM7080).</summary>
        public int CellularModem;

        /// <summary>Access point name of the SIM's data service ("" = the SIM's default).</summary>
        public string CellularApn = "";

        /// <summary>The ESP32 UART the modem is on (2 = COM2, 3 = COM3); -1 = the board's (Board/BoardPins.Modem).</summary>
        public int CellularUart = -1;

        /// <summary>Modem UART TX (ESP32 → modem RXD through the level shifter); -1 = the board's.</summary>
        public int CellularTx = -1;

        /// <summary>Modem UART RX (modem TXD → ESP32); -1 = the board's.</summary>
        public int CellularRx = -1;

        /// <summary>GPIO driving the PWRKEY transistor (high = PWRKEY pulled low); -1 = the board's.</summary>
        public int CellularPwrKey = -1;

        /// <summary>GPIO of the modem's VBAT load switch (high = on); -1 = the board's.</summary>
        public int CellularPowerEn = -1;

        /// <summary>GPIO reading the modem's STATUS output (high = on); -1 = the board's.</summary>
        public int CellularStatus = -1;

        /// <summary>The CA certificate (PEM) the gateway's certificate must chain to, a file on the node's flash.</summary>
        public string CellularCa = "I:\\ca.pem";
        public string Ntp = "pool.ntp.org";
        public int SampleSec = 900;
        public int UploadSec = 3600;
        public int BatchMax = 50;
        public int MaxAwakeSec = 60;

        /// <summary>
        /// GPIO wired to the DONE input of a TPL5010 reset watchdog (hardware/common/watchdog.md), -1: none
        /// fitted. Device config only: it describes the board, so the remote overlay cannot change it.
        /// </summary>
        public int WatchdogDoneGpio = -1;

        /// <summary>The TPL5010's interval set by its DELAY resistor, s (hardware/common/watchdog.md): no sleep may outlast it.</summary>
        public int WatchdogIntervalSec = 3600;

        /// <summary>
        /// I2C bus of a battery-backed DS3231 RTC (config <c>rtc</c>, hardware/common/rtc-backup.md), -1: none
        /// fitted. Device config only, like the watchdog: it describes the board.
        /// </summary>
        public int RtcBus = -1;

        /// <summary>How long service mode keeps the node awake, minutes (Node/ServiceHold).</summary>
        public int ServiceMinutes = 15;
        public int Rev;
        public string CalibrationId;

        /// <summary>Days a calibration record stays in force after its <c>at</c> (0: no expiry).</summary>
        public int CalMaxAgeDays;

        // Low-battery modes (docs/config.md "power"; Power/PowerPolicy): thresholds in mV, 0 = off.
        public int PowerEconomyMv = 3600;
        public int PowerSurvivalMv = 3450;
        public int PowerCutoffMv = 3350;
        public int PowerResumeMv = 3550;
        public int PowerHysteresisMv = 50;
        public int PowerStretch = 4;
        public int PowerCheckSec = 3600;
        /// <summary>Event mode (docs/config.md "Event mode"): sampling interval while in it, s.</summary>
        public int EventSampleSec = 60;

        /// <summary>Event mode ends once its condition has been clear this long, s.</summary>
        public int EventHoldSec = 3600;

        /// <summary>Window of the rainfall condition, s.</summary>
        public int EventRainWindowSec = 3600;

        /// <summary>Rainfall over the window that starts event mode, mm; 0 = no rainfall condition.</summary>
        public double EventRainMm;

        /// <summary>Window of the level-rise condition, s.</summary>
        public int EventRiseWindowSec = 1800;

        /// <summary>Rise of water.level over the window that starts event mode, m; 0 = no rise condition.</summary>
        public double EventRiseM;

        public SensorConfig[] Sensors = new SensorConfig[0];
        public ThresholdConfig[] Thresholds = new ThresholdConfig[0];
#pragma warning restore CS1591

        /// <summary>
        /// The batch's <c>cal</c> (protocol §4): the config's <c>cal</c> when set (the id of the
        /// calibration visit), else the id of the newest sensor record (largest <c>at</c>, the first
        /// in config order on a tie), so a site calibration names the telemetry without a second
        /// edit; null when nothing is calibrated.
        /// </summary>
        public string BatchCalibrationId()
        {
            if (CalibrationId != null)
            {
                return CalibrationId;
            }

            CalibrationRecord newest = null;
            for (int i = 0; i < Sensors.Length; i++)
            {
                CalibrationRecord r = Sensors[i].Calibration;
                if (r != null && (newest == null || r.CreatedUnixSeconds > newest.CreatedUnixSeconds))
                {
                    newest = r;
                }
            }

            return newest == null ? null : newest.Id;
        }

        /// <summary>Copies every field of <paramref name="other"/> (arrays are shared: configs are immutable once loaded).</summary>
        public void CopyFrom(DeviceConfig other)
        {
            Device = other.Device;
            Site = other.Site;
            Type = other.Type;
            WifiSsid = other.WifiSsid;
            WifiPassword = other.WifiPassword;
            MqttHost = other.MqttHost;
            MqttPort = other.MqttPort;
            MqttUser = other.MqttUser;
            MqttPassword = other.MqttPassword;
            MqttTls = other.MqttTls;
            Cellular = other.Cellular;
            CellularModem = other.CellularModem;
            CellularPsm = other.CellularPsm;
            CellularMinVolts = other.CellularMinVolts;
            CellularApn = other.CellularApn;
            CellularUart = other.CellularUart;
            CellularTx = other.CellularTx;
            CellularRx = other.CellularRx;
            CellularPwrKey = other.CellularPwrKey;
            CellularPowerEn = other.CellularPowerEn;
            CellularStatus = other.CellularStatus;
            CellularCa = other.CellularCa;
            Ntp = other.Ntp;
            SampleSec = other.SampleSec;
            UploadSec = other.UploadSec;
            BatchMax = other.BatchMax;
            MaxAwakeSec = other.MaxAwakeSec;
            WatchdogDoneGpio = other.WatchdogDoneGpio;
            WatchdogIntervalSec = other.WatchdogIntervalSec;
            RtcBus = other.RtcBus;
            ServiceMinutes = other.ServiceMinutes;
            Rev = other.Rev;
            CalibrationId = other.CalibrationId;
            CalMaxAgeDays = other.CalMaxAgeDays;
            PowerEconomyMv = other.PowerEconomyMv;
            PowerSurvivalMv = other.PowerSurvivalMv;
            PowerCutoffMv = other.PowerCutoffMv;
            PowerResumeMv = other.PowerResumeMv;
            PowerHysteresisMv = other.PowerHysteresisMv;
            PowerStretch = other.PowerStretch;
            PowerCheckSec = other.PowerCheckSec;
            EventSampleSec = other.EventSampleSec;
            EventHoldSec = other.EventHoldSec;
            EventRainWindowSec = other.EventRainWindowSec;
            EventRainMm = other.EventRainMm;
            EventRiseWindowSec = other.EventRiseWindowSec;
            EventRiseM = other.EventRiseM;
            Sensors = other.Sensors;
            Thresholds = other.Thresholds;
        }
    }
}
