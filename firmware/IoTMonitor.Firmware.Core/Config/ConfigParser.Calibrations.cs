using IoTMonitor.Firmware.Core.Sensors.Calibration;
using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>
    /// The calibration part of the parser: a sensor entry's <c>calibration</c> record and the
    /// remote <c>calibrations</c> list, both in the one record format
    /// (Sensors/Calibration/CalibrationRecord).
    /// </summary>
    public sealed partial class ConfigParser
    {
        /// <summary>Most entries of a remote <c>calibrations</c> list (one per sensor entry).</summary>
        public const int MaxRemoteCalibrations = DeviceConfig.MaxSensors;

        // The record being read: reset per record; the points are copied by CalibrationRecord.
        private readonly double[] _recRaw = new double[CalibrationRecord.MaxPoints];
        private readonly double[] _recReference = new double[CalibrationRecord.MaxPoints];
        private string _recId;
        private bool _recHaveKind;
        private CalibrationKind _recKind;
        private double _recTempCoeff;
        private double _recTempC;
        private long _recAt;
        private int _recPoints;

        // A sensor entry's record: id, kind, points, and the optional tempCoeff, tempC
        // (temperature of the standards) and at (Unix seconds made).
        private ConfigError ReadCalibration(SensorConfig s)
        {
            ConfigError e = ExpectObject();
            ResetRecord();
            while (e == ConfigError.None && (e = NextKey()) == ConfigError.None && _r.Token == JsonToken.PropertyName)
            {
                if (!ReadRecordKey(out e))
                {
                    e = SkipValue();
                }
            }

            if (e != ConfigError.None)
            {
                return e;
            }

            CalibrationRecord record = FinishRecord(out e);
            if (record != null)
            {
                s.Calibration = record;
            }

            return e;
        }

        // Remote "calibrations": [{"sensor": "<sensors[].id>", <the record's keys>}, …]. Each entry
        // replaces the record of the sensor entry with that id in the work copy; the entries are
        // copied on write, so the config the parse started from (the flashed one) is never
        // changed. A record the sensor's probe would refuse is an error here, not an UNCALIBRATED
        // reading later: the config in force stays as it was and config/ack says why.
        private ConfigError ReadRemoteCalibrations()
        {
            if (_r.Read() != JsonToken.StartArray)
            {
                return ValueError();
            }

            SensorConfig[] sensors = null;
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

                if (n == MaxRemoteCalibrations)
                {
                    return ConfigError.TooMany;
                }

                ResetRecord();
                string sensor = null;
                ConfigError e;
                while ((e = NextKey()) == ConfigError.None && _r.Token == JsonToken.PropertyName)
                {
                    if (_r.ValueEquals("sensor"))
                    {
                        e = ReadString(ref sensor, 32);
                    }
                    else if (!ReadRecordKey(out e))
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

                if (sensor == null)
                {
                    return ConfigError.MissingField;
                }

                CalibrationRecord record = FinishRecord(out e);
                if (record == null)
                {
                    return e;
                }

                int i = IndexOfSensor(_work.Sensors, sensor);
                if (i < 0)
                {
                    return ConfigError.UnknownSensor;
                }

                if (sensors == null)
                {
                    sensors = new SensorConfig[_work.Sensors.Length];
                    System.Array.Copy(_work.Sensors, sensors, sensors.Length);
                }

                // Two records for one probe: which one the technician meant is not ours to guess.
                if (sensors[i] != _work.Sensors[i])
                {
                    return ConfigError.BadValue;
                }

                if (SensorCatalog.CheckRecord(sensors[i], record) != CalibrationResult.Ok)
                {
                    return ConfigError.BadCalibration;
                }

                sensors[i] = sensors[i].WithCalibration(record);
                n++;
            }

            if (sensors != null)
            {
                _work.Sensors = sensors;
            }

            return ConfigError.None;
        }

        private static int IndexOfSensor(SensorConfig[] sensors, string id)
        {
            for (int i = 0; i < sensors.Length; i++)
            {
                if (sensors[i].Id == id)
                {
                    return i;
                }
            }

            return -1;
        }

        private void ResetRecord()
        {
            _recId = null;
            _recHaveKind = false;
            _recKind = CalibrationKind.Linear;
            _recTempCoeff = 0;
            _recTempC = TemperatureCompensation.ReferenceC;
            _recAt = 0;
            _recPoints = 0;
        }

        // Reads the value of one record key (the current token is its name); false when the key
        // is not one of the record's, so the caller handles or skips it.
        private bool ReadRecordKey(out ConfigError e)
        {
            e = ConfigError.None;
            if (_r.ValueEquals("id"))
            {
                e = ReadString(ref _recId, CalibrationRecord.MaxIdLength);
            }
            else if (_r.ValueEquals("kind"))
            {
                e = ReadCalibrationKind(ref _recKind);
                _recHaveKind = true;
            }
            else if (_r.ValueEquals("tempCoeff"))
            {
                e = ReadNumber(ref _recTempCoeff);
                if (e == ConfigError.None && (_recTempCoeff < 0 || _recTempCoeff > 0.1))
                {
                    e = ConfigError.BadValue;
                }
            }
            else if (_r.ValueEquals("tempC"))
            {
                e = ReadNumber(ref _recTempC);
                if (e == ConfigError.None && (_recTempC < 0 || _recTempC > 50))
                {
                    e = ConfigError.BadValue;
                }
            }
            else if (_r.ValueEquals("at"))
            {
                if (_r.Read() != JsonToken.Number || !_r.TryGetInt64(out _recAt) || _recAt < 0)
                {
                    e = ValueError();
                }
            }
            else if (_r.ValueEquals("points"))
            {
                e = ReadPoints(_recRaw, _recReference, ref _recPoints);
            }
            else
            {
                return false;
            }

            return true;
        }

        // The record read since ResetRecord, or null with the reason.
        private CalibrationRecord FinishRecord(out ConfigError e)
        {
            e = ConfigError.None;
            if (!_recHaveKind)
            {
                e = ConfigError.MissingField;
            }
            else if (!CalibrationKinds.PointCountFits(_recKind, _recPoints))
            {
                e = ConfigError.BadCalibration;
            }
            else if (_recId == null || _recId.Length == 0)
            {
                // The id is what traces a value to its calibration (batch cal, site sheet): a
                // record without one could not be told apart from the vendor defaults.
                e = ConfigError.MissingField;
            }

            return e != ConfigError.None ? null : new CalibrationRecord(_recId, _recKind, _recRaw, _recReference, _recPoints, _recTempCoeff, _recTempC, _recAt);
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
