namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>The device config's <c>cellular</c> object (docs/cellular.md): modem family and APN.</summary>
    public sealed partial class ConfigParser
    {
        // {"modem":"simcom"|"quectel","apn":"…"}: the modem family picks the AT command set
        // (Cellular/SimcomMqtt, Cellular/QuectelMqtt); an APN is at most 63 characters (3GPP TS 23.003 §9.1).
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
                    else if (e == ConfigError.None)
                    {
                        e = ConfigError.BadValue;
                    }
                }
                else if (_r.ValueEquals("apn"))
                {
                    e = ReadString(ref _work.CellularApn, 63);
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
