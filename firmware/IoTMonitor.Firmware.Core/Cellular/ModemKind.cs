namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>Which AT command family the modem speaks for MQTT (config <c>cellular.modem</c>).</summary>
    public enum ModemKind
    {
        /// <summary>SIMCom A76XX (A7670C/E/SA…) and SIM7500/SIM7600: <c>AT+CMQTT…</c>.</summary>
        Simcom = 0,

        /// <summary>Quectel EC200x/EC800N/EC2x and BG95/BG77: <c>AT+QMT…</c>.</summary>
        Quectel = 1,
    }
}
