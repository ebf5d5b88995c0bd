namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>Which AT command family the modem speaks for MQTT (config <c>cellular.modem</c>).</summary>
    public enum ModemKind
    {
        /// <summary>SIMCom A76XX (A7670C/E/SA…) and SIM7500/SIM7600: <c>AT+CMQTT…</c>.</summary>
        Simcom = 0,

        /// <summary>Quectel EC200x/EC800N/EC2x and BG95/BG77: <c>AT+QMT…</c>.</summary>
        Quectel = 1,

        /// <summary>SIMCom SIM7070/SIM7080/SIM7090 (the NB-IoT/Cat-M SIM7080G): <c>AT+SM…</c> (config <c>"sim7080"</c>).</summary>
        SimcomSm = 2,
    }
}
