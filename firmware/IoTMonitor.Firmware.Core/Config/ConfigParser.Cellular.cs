namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>The device config's <c>cellular</c> object (docs/cellular.md): modem family, APN, the board's modem pins and the CA file.</summary>
    public sealed partial class ConfigParser
    {
        // {"modem":"simcom"|"quectel"|"sim7080","apn":"…"}: the modem family picks the AT command set
        // (Cellular/SimcomMqtt, Cellular/QuectelMqtt, Cellular/SimcomSmMqtt); "psm" asks the network for
        // PSM between uploads, "minV" (2.8–4.2 V, 0 = none) is the battery voltage below which the module
        // is not powered (hardware/common/cellular.md "Power path and sizing"); an APN is at most 63 characters (3GPP TS 23.003 §9.1).
        // "uart" is 2 or 3 (COM1 carries the debugger); pins are classic-ESP32 GPIO numbers (0–39);
        // "ca" names a file on the node's flash (LittleFS path names stay short).
        private ConfigError ReadCellular()
        {
            ConfigError e = ExpectObject();
            _work.Cellular = true;
            bool haveModem = false;
            while (e == ConfigError.None && (e = NextKey()) == ConfigError.None && _r.Token == Text.JsonToken.PropertyName)
            {
                if (_r.ValueEquals("modem"))
                {
                    string modem = null;
                    e = ReadString(ref modem, 16);
                    haveModem = true;
                    if (e == ConfigError.None && modem == "simcom")
                    {
                        _work.CellularModem = 0;
                    }
                    else if (e == ConfigError.None && modem == "quectel")
                    {
                        _work.CellularModem = 1;
                    }
                    else if (e == ConfigError.None && modem == "sim7080")
                    {
                        _work.CellularModem = 2;
                    }
                    else if (e == ConfigError.None)
                    {
                        e = ConfigError.BadValue;
                    }
                }
                else if (_r.ValueEquals("apn"))
                {
                    e = ReadString(ref _work.CellularApn, 63);
                }
                else if (_r.ValueEquals("uart"))
                {
                    e = ReadInt(2, 3, ref _work.CellularUart);
                }
                else if (_r.ValueEquals("tx"))
                {
                    e = ReadInt(0, 39, ref _work.CellularTx);
                }
                else if (_r.ValueEquals("rx"))
                {
                    e = ReadInt(0, 39, ref _work.CellularRx);
                }
                else if (_r.ValueEquals("pwrkey"))
                {
                    e = ReadInt(0, 39, ref _work.CellularPwrKey);
                }
                else if (_r.ValueEquals("powerEn"))
                {
                    e = ReadInt(0, 39, ref _work.CellularPowerEn);
                }
                else if (_r.ValueEquals("status"))
                {
                    e = ReadInt(0, 39, ref _work.CellularStatus);
                }
                else if (_r.ValueEquals("ca"))
                {
                    e = ReadString(ref _work.CellularCa, 63);
                }
                else if (_r.ValueEquals("psm"))
                {
                    e = ReadBool(ref _work.CellularPsm);
                }
                else if (_r.ValueEquals("minV"))
                {
                    e = ReadRange(0, 4.2, ref _work.CellularMinVolts);
                    if (e == ConfigError.None && _work.CellularMinVolts > 0 && _work.CellularMinVolts < 2.8)
                    {
                        e = ConfigError.BadValue;
                    }
                }
                else
                {
                    e = SkipValue();
                }
            }

            return e == ConfigError.None && !haveModem ? ConfigError.MissingField : e;
        }
    }
}
