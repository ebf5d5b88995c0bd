namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>The device config's <c>rtc</c> object (docs/config.md): a battery-backed RTC on an I2C bus.</summary>
    public sealed partial class ConfigParser
    {
        /// <summary>The I2C bus an <c>rtc</c> entry without <c>bus</c> is on (GPIO18/19, hardware/common/rtc-backup.md).</summary>
        public const int DefaultRtcBus = 1;

        // {"kind":"ds3231","bus":1}: the kind names the register map (only the DS3231's is built;
        // Sensors/Ds3231/Ds3231Clock), the bus one of the ESP32's two I2C controllers (0 or 1). The address is
        // the chip's fixed 68h.
        private ConfigError ReadRtc()
        {
            ConfigError e = ExpectObject();
            bool haveKind = false;
            int bus = DefaultRtcBus;
            while (e == ConfigError.None && (e = NextKey()) == ConfigError.None && _r.Token == Text.JsonToken.PropertyName)
            {
                if (_r.ValueEquals("kind"))
                {
                    string kind = null;
                    e = ReadString(ref kind, 16);
                    haveKind = true;
                    if (e == ConfigError.None && kind != "ds3231")
                    {
                        e = ConfigError.UnknownKind;
                    }
                }
                else if (_r.ValueEquals("bus"))
                {
                    e = ReadInt(0, 1, ref bus);
                }
                else
                {
                    e = SkipValue();
                }
            }

            if (e == ConfigError.None && !haveKind)
            {
                return ConfigError.MissingField;
            }

            if (e == ConfigError.None)
            {
                _work.RtcBus = bus;
            }

            return e;
        }
    }
}
