using IoTMonitor.Firmware.Core.Filters;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>
    /// Reads the device config document and the retained remote config (docs/config.md) into a
    /// <see cref="DeviceConfig"/>. Atomic: the target changes only when the whole document is
    /// valid. Never throws for any input; the result is a <see cref="ConfigError"/>. Unknown keys
    /// are skipped (forward compatibility).
    /// </summary>
    public sealed partial class ConfigParser
    {
        /// <summary>
        /// Largest remote config the node takes, bytes (docs/config.md "Remote config"): the
        /// telemetry payload limit, so the node receives it in its payload buffer. It holds every
        /// remote key at its maximum: 16 calibration records of 8 points with 32-character ids,
        /// written as CalibrationRecordWriter writes them, plus 16 thresholds (about 6.6 KB). A
        /// larger one is refused whole (<see cref="ConfigError.TooLarge"/>), never truncated.
        /// </summary>
        public const int MaxRemoteBytes = ProtocolLimits.MaxPayloadBytes;

        private const int MaxThresholds = 16;

        private const int MaxCalMaxAgeDays = 3650;

        private readonly JsonReader _r = new JsonReader();
        private readonly DeviceConfig _work = new DeviceConfig();
        private bool _tlsGiven;

        /// <summary>
        /// Parses a full device config into <paramref name="into"/>. Required: v, device, site,
        /// type, wifi, mqtt.
        /// </summary>
        public ConfigError ParseDevice(byte[] data, int offset, int count, DeviceConfig into)
        {
            _work.CopyFrom(new DeviceConfig());
            ConfigError e = ParseDocument(data, offset, count, false);
            if (e == ConfigError.None)
            {
                into.CopyFrom(_work);
            }

            return e;
        }

        /// <summary>
        /// Applies a remote config (protocol §6: v, rev, and any of sampleSec, uploadSec,
        /// batchMax, maxAwakeSec, thresholds, calMaxAgeDays, calibrations) on top of
        /// <paramref name="into"/>; <paramref name="rev"/> is its revision (-1 when unreadable).
        /// </summary>
        public ConfigError ParseRemote(byte[] data, int offset, int count, DeviceConfig into, out int rev)
        {
            return ParseRemote(data, offset, count, into, into, out rev);
        }

        /// <summary>
        /// Applies a remote config on top of <paramref name="baseConfig"/> and, when valid, stores
        /// the result in <paramref name="into"/> (unchanged otherwise). The node passes the flashed
        /// config as the base, so what is in force after a remote config is exactly what the next
        /// boot builds from the flashed document and that saved remote config.
        /// </summary>
        public ConfigError ParseRemote(byte[] data, int offset, int count, DeviceConfig baseConfig, DeviceConfig into, out int rev)
        {
            rev = -1;
            if (count > MaxRemoteBytes)
            {
                return ConfigError.TooLarge;
            }

            _work.CopyFrom(baseConfig);
            _work.Rev = -1;
            ConfigError e = ParseDocument(data, offset, count, true);
            rev = _work.Rev;
            if (e == ConfigError.None)
            {
                into.CopyFrom(_work);
            }

            return e;
        }

        /// <summary>
        /// The top-level <c>rev</c> of a remote config, or -1: lets the node answer a config it
        /// refuses unread (too large: only its first bytes were kept) with the revision the
        /// gateway waits for, when <c>rev</c> comes before the cut.
        /// </summary>
        public int RemoteRevision(byte[] data, int offset, int count)
        {
            if (data == null || offset < 0 || count < 0 || offset + count > data.Length)
            {
                return -1;
            }

            _r.Reset(data, offset, count);
            _tlsGiven = false;
            if (_r.Read() != JsonToken.StartObject)
            {
                return -1;
            }

            while (_r.Read() == JsonToken.PropertyName)
            {
                if (_r.ValueEquals("rev"))
                {
                    long v;
                    return _r.Read() == JsonToken.Number && _r.TryGetInt64(out v) && v >= 0 && v <= int.MaxValue ? (int)v : -1;
                }

                if (!_r.Skip())
                {
                    return -1;
                }
            }

            return -1;
        }

        private ConfigError ParseDocument(byte[] data, int offset, int count, bool remote)
        {
            if (data == null || offset < 0 || count < 0 || offset + count > data.Length)
            {
                return ConfigError.NotJson;
            }

            _r.Reset(data, offset, count);
            if (_r.Read() != JsonToken.StartObject)
            {
                return ConfigError.NotJson;
            }

            bool haveV = false;
            int required = 0; // bits: device, site, type, wifi, mqtt, rev
            ConfigError err = ConfigError.None;
            while (err == ConfigError.None)
            {
                JsonToken t = _r.Read();
                if (t == JsonToken.EndObject)
                {
                    break;
                }

                if (t != JsonToken.PropertyName)
                {
                    return ConfigError.NotJson;
                }

                if (_r.ValueEquals("v"))
                {
                    long v;
                    if (_r.Read() != JsonToken.Number || !_r.TryGetInt64(out v) || v != ProtocolLimits.Version)
                    {
                        err = _r.Token == JsonToken.Error ? ConfigError.NotJson : ConfigError.BadVersion;
                    }

                    haveV = true;
                }
                else if (_r.ValueEquals("rev"))
                {
                    err = ReadInt(0, int.MaxValue, ref _work.Rev);
                    required |= 32;
                }
                else if (_r.ValueEquals("sampleSec"))
                {
                    err = ReadInt(10, 86400, ref _work.SampleSec);
                }
                else if (_r.ValueEquals("uploadSec"))
                {
                    err = ReadInt(10, 7 * 86400, ref _work.UploadSec);
                }
                else if (_r.ValueEquals("batchMax"))
                {
                    err = ReadInt(1, ProtocolLimits.MaxReadings, ref _work.BatchMax);
                }
                else if (_r.ValueEquals("maxAwakeSec"))
                {
                    err = ReadInt(5, 600, ref _work.MaxAwakeSec);
                }
                else if (_r.ValueEquals("serviceMinutes"))
                {
                    err = ReadInt(1, 120, ref _work.ServiceMinutes);
                }
                else if (_r.ValueEquals("thresholds"))
                {
                    err = ReadThresholds();
                }
                else if (_r.ValueEquals("calMaxAgeDays"))
                {
                    err = ReadInt(0, MaxCalMaxAgeDays, ref _work.CalMaxAgeDays);
                }
                else if (IsEventKey())
                {
                    err = ReadEventKey();
                }
                else if (remote && _r.ValueEquals("calibrations"))
                {
                    err = ReadRemoteCalibrations();
                }
                else if (remote)
                {
                    err = SkipValue();
                }
                else if (_r.ValueEquals("device"))
                {
                    err = ReadId(ref _work.Device);
                    required |= 1;
                }
                else if (_r.ValueEquals("site"))
                {
                    err = ReadId(ref _work.Site);
                    required |= 2;
                }
                else if (_r.ValueEquals("type"))
                {
                    err = ReadString(ref _work.Type, 16);
                    if (err == ConfigError.None && _work.Type != "water" && _work.Type != "soil" && _work.Type != "air")
                    {
                        err = ConfigError.BadValue;
                    }

                    required |= 4;
                }
                else if (_r.ValueEquals("wifi"))
                {
                    err = ReadWifi();
                    required |= 8;
                }
                else if (_r.ValueEquals("cellular"))
                {
                    err = ReadCellular();
                    required |= 8; // the node's network: wifi or cellular
                }
                else if (_r.ValueEquals("mqtt"))
                {
                    err = ReadMqtt();
                    required |= 16;
                }
                else if (_r.ValueEquals("ntp"))
                {
                    err = ReadString(ref _work.Ntp, 64);
                }
                else if (_r.ValueEquals("watchdogDoneGpio"))
                {
                    err = ReadInt(-1, 39, ref _work.WatchdogDoneGpio);
                }
                else if (_r.ValueEquals("watchdogIntervalSec"))
                {
                    err = ReadInt(60, 7200, ref _work.WatchdogIntervalSec);
                }
                else if (_r.ValueEquals("rtc"))
                {
                    err = ReadRtc();
                }
                else if (_r.ValueEquals("cal"))
                {
                    err = ReadString(ref _work.CalibrationId, 32);
                }
                else if (_r.ValueEquals("sensors"))
                {
                    err = ReadSensors();
                }
                else if (_r.ValueEquals("power"))
                {
                    err = ReadPower();
                }
                else
                {
                    err = SkipValue();
                }
            }

            if (err != ConfigError.None)
            {
                return err;
            }

            if (_r.Read() != JsonToken.End)
            {
                return ConfigError.NotJson;
            }

            if (!haveV)
            {
                return ConfigError.BadVersion;
            }

            if (!remote && _work.Cellular && !_tlsGiven)
            {
                _work.MqttTls = true; // TLS by default over cellular: the path crosses the operator's network
            }

            int need = remote ? 32 : 31;
            return (required & need) == need ? ConfigError.None : ConfigError.MissingField;
        }

        private ConfigError SkipValue()
        {
            return _r.Skip() ? ConfigError.None : ConfigError.NotJson;
        }

        private ConfigError ValueError()
        {
            return _r.Token == JsonToken.Error ? ConfigError.NotJson : ConfigError.BadValue;
        }

        private ConfigError ReadInt(long min, long max, ref int target)
        {
            long v;
            if (_r.Read() != JsonToken.Number || !_r.TryGetInt64(out v) || v < min || v > max)
            {
                return ValueError();
            }

            target = (int)v;
            return ConfigError.None;
        }

        private ConfigError ReadNumber(ref double target)
        {
            if (_r.Read() != JsonToken.Number)
            {
                return ValueError();
            }

            target = _r.Number;
            return ConfigError.None;
        }

        private ConfigError ReadBool(ref bool target)
        {
            JsonToken t = _r.Read();
            if (t != JsonToken.True && t != JsonToken.False)
            {
                return ValueError();
            }

            target = t == JsonToken.True;
            return ConfigError.None;
        }

        private ConfigError ReadString(ref string target, int maxLength)
        {
            if (_r.Read() != JsonToken.String)
            {
                return ValueError();
            }

            string s = _r.GetString();
            if (s.Length > maxLength)
            {
                return ConfigError.BadValue;
            }

            target = s;
            return ConfigError.None;
        }

        private ConfigError ReadId(ref string target)
        {
            string s = null;
            ConfigError e = ReadString(ref s, 32);
            if (e != ConfigError.None)
            {
                return e;
            }

            if (!IsValidId(s))
            {
                return ConfigError.BadId;
            }

            target = s;
            return ConfigError.None;
        }

        /// <summary>Protocol §1: <c>^[a-z0-9][a-z0-9_-]{0,31}$</c>.</summary>
        public static bool IsValidId(string s)
        {
            if (s == null || s.Length < 1 || s.Length > 32)
            {
                return false;
            }

            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }

        private ConfigError ExpectObject()
        {
            return _r.Read() == JsonToken.StartObject ? ConfigError.None : ValueError();
        }

        // Reads the next key of the current object: None with a PropertyName token, or
        // None with EndObject when done.
        private ConfigError NextKey()
        {
            JsonToken t = _r.Read();
            return t == JsonToken.PropertyName || t == JsonToken.EndObject ? ConfigError.None : ConfigError.NotJson;
        }

        private ConfigError ReadWifi()
        {
            ConfigError e = ExpectObject();
            while (e == ConfigError.None && (e = NextKey()) == ConfigError.None && _r.Token == JsonToken.PropertyName)
            {
                if (_r.ValueEquals("ssid"))
                {
                    e = ReadString(ref _work.WifiSsid, 32);
                }
                else if (_r.ValueEquals("password"))
                {
                    e = ReadString(ref _work.WifiPassword, 64);
                }
                else
                {
                    e = SkipValue();
                }
            }

            return e;
        }

        private ConfigError ReadMqtt()
        {
            ConfigError e = ExpectObject();
            bool haveHost = false;
            while (e == ConfigError.None && (e = NextKey()) == ConfigError.None && _r.Token == JsonToken.PropertyName)
            {
                if (_r.ValueEquals("host"))
                {
                    e = ReadString(ref _work.MqttHost, 128);
                    haveHost = _work.MqttHost.Length > 0;
                }
                else if (_r.ValueEquals("port"))
                {
                    e = ReadInt(1, 65535, ref _work.MqttPort);
                }
                else if (_r.ValueEquals("user"))
                {
                    e = ReadString(ref _work.MqttUser, 64);
                }
                else if (_r.ValueEquals("password"))
                {
                    e = ReadString(ref _work.MqttPassword, 128);
                }
                else if (_r.ValueEquals("tls"))
                {
                    e = ReadBool(ref _work.MqttTls);
                    _tlsGiven = true;
                }
                else
                {
                    e = SkipValue();
                }
            }

            return e == ConfigError.None && !haveHost ? ConfigError.MissingField : e;
        }

        private ConfigError ReadThresholds()
        {
            if (_r.Read() != JsonToken.StartArray)
            {
                return ValueError();
            }

            ThresholdConfig[] tmp = new ThresholdConfig[MaxThresholds];
            int n = 0;
            while (true)
            {
                JsonToken t = _r.Read();
                if (t == JsonToken.EndArray)
                {
                    break;
                }

                if (t != JsonToken.StartObject)
                {
                    return ValueError();
                }

                if (n == MaxThresholds)
                {
                    return ConfigError.TooMany;
                }

                ThresholdConfig th = new ThresholdConfig();
                th.Quantity = Quantities.Unknown;
                ConfigError e;
                while ((e = NextKey()) == ConfigError.None && _r.Token == JsonToken.PropertyName)
                {
                    if (_r.ValueEquals("q"))
                    {
                        string q = null;
                        e = ReadString(ref q, 32);
                        th.Quantity = Quantities.IndexOf(q);
                        if (e == ConfigError.None && th.Quantity == Quantities.Unknown)
                        {
                            e = ConfigError.UnknownQuantity;
                        }
                    }
                    else if (_r.ValueEquals("above"))
                    {
                        e = ReadNumber(ref th.Above);
                        th.HasAbove = true;
                    }
                    else if (_r.ValueEquals("below"))
                    {
                        e = ReadNumber(ref th.Below);
                        th.HasBelow = true;
                    }
                    else
                    {
                        e = SkipValue();
                    }

                    if (e != ConfigError.None)
                    {
                        return e;
                    }
                }

                if (e != ConfigError.None)
                {
                    return e;
                }

                if (th.Quantity == Quantities.Unknown || (!th.HasAbove && !th.HasBelow))
                {
                    return ConfigError.MissingField;
                }

                tmp[n++] = th;
            }

            ThresholdConfig[] result = new ThresholdConfig[n];
            System.Array.Copy(tmp, result, n);
            _work.Thresholds = result;
            return ConfigError.None;
        }

        private ConfigError ReadSensors()
        {
            if (_r.Read() != JsonToken.StartArray)
            {
                return ValueError();
            }

            SensorConfig[] tmp = new SensorConfig[DeviceConfig.MaxSensors];
            int n = 0;
            while (true)
            {
                JsonToken t = _r.Read();
                if (t == JsonToken.EndArray)
                {
                    break;
                }

                if (t != JsonToken.StartObject)
                {
                    return ValueError();
                }

                if (n == tmp.Length)
                {
                    return ConfigError.TooMany;
                }

                SensorConfig s = new SensorConfig();
                ConfigError e = ReadSensor(s);
                if (e != ConfigError.None)
                {
                    return e;
                }

                tmp[n++] = s;
            }

            SensorConfig[] result = new SensorConfig[n];
            System.Array.Copy(tmp, result, n);
            _work.Sensors = result;
            return ConfigError.None;
        }

        private ConfigError ReadSensor(SensorConfig s)
        {
            ConfigError e;
            while ((e = NextKey()) == ConfigError.None && _r.Token == JsonToken.PropertyName)
            {
                if (_r.ValueEquals("id"))
                {
                    e = ReadString(ref s.Id, 32);
                }
                else if (_r.ValueEquals("kind"))
                {
                    e = ReadString(ref s.Kind, 32);
                }
                else if (_r.ValueEquals("quantity"))
                {
                    e = ReadQuantities(s);
                }
                else if (_r.ValueEquals("pin"))
                {
                    e = ReadInt(0, 39, ref s.Pin);
                }
                else if (_r.ValueEquals("bus"))
                {
                    e = ReadInt(0, 3, ref s.Bus);
                }
                else if (_r.ValueEquals("address"))
                {
                    e = ReadInt(0, 255, ref s.Address);
                }
                else if (_r.ValueEquals("tx"))
                {
                    e = ReadInt(0, 39, ref s.Tx);
                }
                else if (_r.ValueEquals("rx"))
                {
                    e = ReadInt(0, 39, ref s.Rx);
                }
                else if (_r.ValueEquals("samples"))
                {
                    e = ReadInt(1, SensorConfig.MaxSamples, ref s.Samples);
                }
                else if (_r.ValueEquals("stuckSamples"))
                {
                    e = ReadInt(0, SensorConfig.MaxSamples, ref s.StuckSamples);
                }
                else if (_r.ValueEquals("warmupMs"))
                {
                    e = ReadInt(0, 600000, ref s.WarmupMs);
                }
                else if (_r.ValueEquals("filter"))
                {
                    e = ReadFilter(s);
                }
                else if (_r.ValueEquals("calibration"))
                {
                    e = ReadCalibration(s);
                }
                else if (_r.ValueEquals("calMaxAgeDays"))
                {
                    e = ReadInt(0, MaxCalMaxAgeDays, ref s.CalMaxAgeDays);
                }
                else if (_r.ValueEquals("adc"))
                {
                    e = ReadString(ref s.Adc, 16);
                }
                else if (_r.ValueEquals("channel"))
                {
                    e = ReadInt(0, 3, ref s.Channel);
                }
                else if (_r.ValueEquals("mmPerTip"))
                {
                    e = ReadRange(0.01, 10, ref s.MmPerTip);
                }
                else if (_r.ValueEquals("pga"))
                {
                    e = ReadInt(256, 6144, ref s.FullScaleMv);
                    if (e == ConfigError.None && Sensors.Ads1115.Ads1115Settings.PgaForFullScaleMv(s.FullScaleMv) < 0)
                    {
                        e = ConfigError.BadValue;
                    }
                }
                else
                {
                    e = SkipValue();
                }

                if (e != ConfigError.None)
                {
                    return e;
                }
            }

            if (e != ConfigError.None)
            {
                return e;
            }

            if (s.Adc != null && s.Adc != SensorConfig.AdcAds1115)
            {
                return ConfigError.BadValue;
            }

            if (s.Adc != null && s.Channel < 0)
            {
                return ConfigError.MissingField;
            }

            return s.Id == null || s.Kind == null || s.Quantities.Length == 0 ? ConfigError.MissingField : ConfigError.None;
        }

        private ConfigError ReadQuantities(SensorConfig s)
        {
            JsonToken t = _r.Read();
            int[] tmp = new int[SensorConfig.MaxQuantities];
            int n = 0;
            if (t == JsonToken.String)
            {
                tmp[n++] = Quantities.IndexOf(_r.GetString());
            }
            else if (t == JsonToken.StartArray)
            {
                while ((t = _r.Read()) == JsonToken.String)
                {
                    if (n == tmp.Length)
                    {
                        return ConfigError.TooMany;
                    }

                    tmp[n++] = Quantities.IndexOf(_r.GetString());
                }

                if (t != JsonToken.EndArray)
                {
                    return ValueError();
                }
            }
            else
            {
                return ValueError();
            }

            for (int i = 0; i < n; i++)
            {
                if (tmp[i] == Quantities.Unknown)
                {
                    return ConfigError.UnknownQuantity;
                }
            }

            s.Quantities = new int[n];
            System.Array.Copy(tmp, s.Quantities, n);
            return ConfigError.None;
        }

        private ConfigError ReadFilter(SensorConfig s)
        {
            if (_r.Read() != JsonToken.String)
            {
                return ValueError();
            }

            if (_r.ValueEquals("median"))
            {
                s.Filter = FilterKind.Median;
            }
            else if (_r.ValueEquals("trimmed_mean"))
            {
                s.Filter = FilterKind.TrimmedMean;
            }
            else if (_r.ValueEquals("none"))
            {
                s.Filter = FilterKind.None;
            }
            else
            {
                return ConfigError.UnknownKind;
            }

            return ConfigError.None;
        }
    }
}
