using IoTMonitor.Firmware.Core.Filters;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>
    /// Reads the device config document and the retained remote config (docs/config.md) into a
    /// <see cref="DeviceConfig"/>. Atomic: the target changes only when the whole document is
    /// valid. Never throws for any input; the result is a <see cref="ConfigError"/>. Unknown keys
    /// are skipped (forward compatibility).
    /// </summary>
    public sealed class ConfigParser
    {
        private const int MaxThresholds = 16;

        private readonly JsonReader _r = new JsonReader();
        private readonly DeviceConfig _work = new DeviceConfig();

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
        /// batchMax, maxAwakeSec, thresholds) on top of <paramref name="into"/>; <paramref name="rev"/>
        /// is its revision (-1 when unreadable).
        /// </summary>
        public ConfigError ParseRemote(byte[] data, int offset, int count, DeviceConfig into, out int rev)
        {
            _work.CopyFrom(into);
            _work.Rev = -1;
            ConfigError e = ParseDocument(data, offset, count, true);
            rev = _work.Rev;
            if (e == ConfigError.None)
            {
                into.CopyFrom(_work);
            }

            return e;
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
                else if (_r.ValueEquals("thresholds"))
                {
                    err = ReadThresholds();
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
                else if (_r.ValueEquals("mqtt"))
                {
                    err = ReadMqtt();
                    required |= 16;
                }
                else if (_r.ValueEquals("ntp"))
                {
                    err = ReadString(ref _work.Ntp, 64);
                }
                else if (_r.ValueEquals("cal"))
                {
                    err = ReadString(ref _work.CalibrationId, 32);
                }
                else if (_r.ValueEquals("sensors"))
                {
                    err = ReadSensors();
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

            SensorConfig[] tmp = new SensorConfig[Sampling.Sampler.MaxSensors];
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
                    e = ReadInt(1, Sampling.Sampler.MaxSamples, ref s.Samples);
                }
                else if (_r.ValueEquals("stuckSamples"))
                {
                    e = ReadInt(0, Sampling.Sampler.MaxSamples, ref s.StuckSamples);
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

        // The one record format (Sensors/Calibration/CalibrationRecord): id, kind, points, and the
        // optional tempCoeff, tempC (temperature of the standards) and at (Unix seconds made).
        private ConfigError ReadCalibration(SensorConfig s)
        {
            ConfigError e = ExpectObject();
            string id = null;
            bool haveKind = false;
            CalibrationKind kind = CalibrationKind.Linear;
            double tempCoeff = 0;
            double tempC = TemperatureCompensation.ReferenceC;
            long at = 0;
            double[] raw = new double[CalibrationRecord.MaxPoints];
            double[] reference = new double[CalibrationRecord.MaxPoints];
            int points = 0;
            while (e == ConfigError.None && (e = NextKey()) == ConfigError.None && _r.Token == JsonToken.PropertyName)
            {
                if (_r.ValueEquals("id"))
                {
                    e = ReadString(ref id, CalibrationRecord.MaxIdLength);
                }
                else if (_r.ValueEquals("kind"))
                {
                    e = ReadCalibrationKind(ref kind);
                    haveKind = true;
                }
                else if (_r.ValueEquals("tempCoeff"))
                {
                    e = ReadNumber(ref tempCoeff);
                    if (e == ConfigError.None && (tempCoeff < 0 || tempCoeff > 0.1))
                    {
                        e = ConfigError.BadValue;
                    }
                }
                else if (_r.ValueEquals("tempC"))
                {
                    e = ReadNumber(ref tempC);
                    if (e == ConfigError.None && (tempC < 0 || tempC > 50))
                    {
                        e = ConfigError.BadValue;
                    }
                }
                else if (_r.ValueEquals("at"))
                {
                    if (_r.Read() != JsonToken.Number || !_r.TryGetInt64(out at) || at < 0)
                    {
                        e = ValueError();
                    }
                }
                else if (_r.ValueEquals("points"))
                {
                    e = ReadPoints(raw, reference, ref points);
                }
                else
                {
                    e = SkipValue();
                }
            }

            if (e != ConfigError.None)
            {
                return e;
            }

            if (!haveKind)
            {
                return ConfigError.MissingField;
            }

            if (!CalibrationKinds.PointCountFits(kind, points))
            {
                return ConfigError.BadCalibration;
            }

            // The id is what traces a value to its calibration (batch cal, site sheet): a record
            // without one could not be told apart from the vendor defaults.
            if (id == null || id.Length == 0)
            {
                return ConfigError.MissingField;
            }

            s.Calibration = new CalibrationRecord(id, kind, raw, reference, points, tempCoeff, tempC, at);
            return ConfigError.None;
        }

        private ConfigError ReadCalibrationKind(ref CalibrationKind kind)
        {
            if (_r.Read() != JsonToken.String)
            {
                return ValueError();
            }

            return CalibrationKinds.TryParse(_r.GetString(), out kind) ? ConfigError.None : ConfigError.UnknownKind;
        }

        private ConfigError ReadPoints(double[] raw, double[] reference, ref int n)
        {
            if (_r.Read() != JsonToken.StartArray)
            {
                return ValueError();
            }

            n = 0;
            JsonToken t;
            while ((t = _r.Read()) == JsonToken.StartArray)
            {
                if (n == CalibrationRecord.MaxPoints)
                {
                    return ConfigError.TooMany;
                }

                ConfigError e = ReadNumber(ref raw[n]);
                if (e == ConfigError.None)
                {
                    e = ReadNumber(ref reference[n]);
                }

                if (e != ConfigError.None)
                {
                    return e;
                }

                if (_r.Read() != JsonToken.EndArray)
                {
                    return ValueError();
                }

                n++;
            }

            if (t != JsonToken.EndArray)
            {
                return ValueError();
            }

            // Two points at the same raw value define no line (every probe divides by the difference).
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    if (raw[i] == raw[j])
                    {
                        return ConfigError.BadCalibration;
                    }
                }
            }

            return ConfigError.None;
        }
    }
}
