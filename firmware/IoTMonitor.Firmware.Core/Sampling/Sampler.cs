using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Filters;
using IoTMonitor.Firmware.Core.Numerics;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Calibration;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sampling
{
    /// <summary>
    /// One sampling round over all configured sensors: N samples per sensor, reduced by the
    /// configured filter (median / trimmed mean), checked against the plausible range and for
    /// stuck values, and written as readings. Buffers are preallocated for
    /// <see cref="DeviceConfig.MaxSensors"/> × <see cref="SensorConfig.MaxQuantities"/> channels, so a round
    /// allocates nothing.
    /// </summary>
    /// <remarks>
    /// Calibration belongs to the drivers (Sensors/Calibration, firmware/README.md "Calibration"):
    /// <see cref="Bind"/> hands each entry's record to its probe once per wake, the probe converts
    /// every sample with it, and the sampler only keeps the probe's raw (pin volts) beside the
    /// value and flags UNCALIBRATED while a calibratable probe runs without a record (or a record
    /// could not be applied). Temperature compensation happens here and nowhere else: the water /
    /// soil temperature sensors are sampled first, and their value of this round is handed to every
    /// <see cref="ITemperatureCompensated"/> probe before it is read (25 °C when there is none).
    /// Lifecycle per wake: <see cref="Bind"/> (after config load; on the ESP32 the factory switches
    /// the sensors' rails on as it builds them) → <see cref="StartAll(IClock)"/> (waits until every
    /// sensor takes commands, then initializes and starts them) → <see cref="WarmUp"/> (NodeCycle's
    /// WarmingUp state) → <see cref="SampleAll"/> → <see cref="SleepAll"/>.
    /// Settle after power-up (<see cref="SensorSettle"/>): every rail comes on at Bind, so each
    /// sensor's datasheet settle and config <c>warmupMs</c> count from that one moment and the wake
    /// waits for the longest of them once — sensors on one rail, or on several, settle in parallel,
    /// never one after another. A sensor whose datasheet settle has not passed is not read: its
    /// quantities are queued NO_VALUE | WARMING_UP. A sensor whose first reading after power-up is
    /// to be discarded (SCD41) gets it read and dropped during the warm-up, then a second start.
    /// </remarks>
    public sealed class Sampler
    {
        /// <summary>Pause between two samples of one sensor, ms.</summary>
        public const int SampleGapMs = 20;

        /// <summary>Retries of a read that answers NotReady, each after <see cref="SampleGapMs"/>.</summary>
        public const int NotReadyRetries = 50;

        /// <summary>Seconds per day of <c>calMaxAgeDays</c>.</summary>
        public const long SecondsPerDay = 86400;

        private const int MaxChannels = DeviceConfig.MaxSensors * SensorConfig.MaxQuantities;

        private readonly ISensor[] _sensors = new ISensor[DeviceConfig.MaxSensors];
        private readonly ReadResult[] _state = new ReadResult[DeviceConfig.MaxSensors];
        private readonly ICalibratable[] _calibratable = new ICalibratable[DeviceConfig.MaxSensors];
        private readonly CalibrationResult[] _calibration = new CalibrationResult[DeviceConfig.MaxSensors];
        private readonly ITemperatureCompensated[] _compensated = new ITemperatureCompensated[DeviceConfig.MaxSensors];
        private readonly IProbeSensor[] _rawSource = new IProbeSensor[DeviceConfig.MaxSensors];
        private readonly bool[] _temperatureSource = new bool[DeviceConfig.MaxSensors];
        private readonly long[] _maxAgeSec = new long[DeviceConfig.MaxSensors];
        private readonly long[] _startedMs = new long[DeviceConfig.MaxSensors];
        private readonly bool[] _discardPending = new bool[DeviceConfig.MaxSensors];
        private long _poweredMs;
        private readonly double[] _raw = new double[SensorConfig.MaxQuantities];
        private readonly double[][] _samples = new double[SensorConfig.MaxQuantities][];
        private readonly double[] _rawSamples = new double[SensorConfig.MaxSamples];
        private readonly double[] _chanValue = new double[MaxChannels];
        private readonly double[] _chanRaw = new double[MaxChannels];
        private readonly int[] _chanFlags = new int[MaxChannels];
        private SensorConfig[] _configs = new SensorConfig[0];
        private int _count;
        private double _batteryVolts = double.NaN;

        /// <summary>Creates the sampler with its buffers.</summary>
        public Sampler()
        {
            for (int i = 0; i < _samples.Length; i++)
            {
                _samples[i] = new double[SensorConfig.MaxSamples];
            }
        }

        /// <summary>Readings one round produces (one per configured quantity).</summary>
        public int ReadingCount
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _count; i++)
                {
                    n += _configs[i].Quantities.Length;
                }

                return n;
            }
        }

        /// <summary>
        /// The <c>device.battery</c> value of the last <see cref="SampleAll"/> (converted by the
        /// battery probe with its calibration record), NaN when that round had none.
        /// </summary>
        public double BatteryVolts
        {
            get { return _batteryVolts; }
        }

        /// <summary>
        /// Creates the drivers for <paramref name="configs"/> through the host's factory and applies
        /// each entry's calibration record to its probe (the only place a record is applied).
        /// <paramref name="calMaxAgeDays"/> is the config's <c>calMaxAgeDays</c> (0: off), which an
        /// entry's own <c>calMaxAgeDays</c> overrides (records whose probe
        /// takes them are flagged UNCALIBRATED again once older, see <see cref="IsExpired"/>).
        /// </summary>
        public void Bind(SensorConfig[] configs, ISensorFactory factory, int calMaxAgeDays = 0)
        {
            _count = configs.Length > DeviceConfig.MaxSensors ? DeviceConfig.MaxSensors : configs.Length;
            _configs = configs;
            for (int i = 0; i < _count; i++)
            {
                ISensor s = factory == null ? null : factory.Create(configs[i]);
                _sensors[i] = s;
                _state[i] = s == null ? ReadResult.NoResponse : ReadResult.NotInitialized;
                ISensor driver = SensorCatalog.DriverOf(s);
                IProbeSensor probe = driver as IProbeSensor;
                _rawSource[i] = probe;
                _calibratable[i] = probe != null ? probe.Calibratable : driver as ICalibratable;
                _compensated[i] = probe != null ? probe.Compensated : driver as ITemperatureCompensated;
                _temperatureSource[i] = _compensated[i] == null && MeasuresMediumTemperature(configs[i]);
                _calibration[i] = Calibrate(configs[i].Calibration, _calibratable[i]);
                int days = configs[i].CalMaxAgeDays >= 0 ? configs[i].CalMaxAgeDays : calMaxAgeDays;
                _maxAgeSec[i] = days > 0 ? days * SecondsPerDay : 0;
            }
        }

        /// <summary>
        /// How the calibration record of sensor entry <paramref name="index"/> fared at
        /// <see cref="Bind"/>: Ok (applied), Incomplete (no record), WrongKind (the driver takes
        /// none, or one of another kind), or the probe's refusal.
        /// </summary>
        public CalibrationResult CalibrationOf(int index)
        {
            return index >= 0 && index < _count ? _calibration[index] : CalibrationResult.Incomplete;
        }

        /// <summary>
        /// Marks the rails on now (they came on at <see cref="Bind"/>) and initializes and starts each
        /// sensor as soon as its <see cref="SensorSettle.ReadyMs"/> has passed (SCD41: 1000 ms; most:
        /// at once), sleeping between; a sensor that fails is skipped this wake.
        /// </summary>
        public void StartAll(IClock clock)
        {
            _poweredMs = clock.Millis;
            for (int i = 0; i < _count; i++)
            {
                _discardPending[i] = false;
                _startedMs[i] = -1;
            }

            while (true)
            {
                long now = clock.Millis;
                long next = long.MaxValue;
                for (int i = 0; i < _count; i++)
                {
                    if (_startedMs[i] >= 0)
                    {
                        continue;
                    }

                    long ready = _sensors[i] == null ? now : _poweredMs + SensorSettle.ReadyMs(_configs[i].Kind);
                    if (ready <= now)
                    {
                        StartOne(i, now);
                    }
                    else
                    {
                        next = ready < next ? ready : next;
                    }
                }

                if (next == long.MaxValue)
                {
                    return;
                }

                clock.Sleep((int)(next - now));
            }
        }

        /// <summary>
        /// Waits until every started sensor has settled: its datasheet settle and config <c>warmupMs</c>
        /// since power-on, and its driver's warm-up since its start, whichever ends last; on the way,
        /// reads and drops the first reading of a sensor that asks for it and starts it again. Never
        /// waits past <paramref name="budgetMs"/> from now (what is not settled then is not read).
        /// </summary>
        public void WarmUp(IClock clock, long budgetMs)
        {
            long end = clock.Millis + (budgetMs > 0 ? budgetMs : 0);
            while (true)
            {
                long now = clock.Millis;
                long settled = now;
                long nextDiscard = long.MaxValue;
                for (int i = 0; i < _count; i++)
                {
                    if (_sensors[i] == null || _state[i] != ReadResult.Ok)
                    {
                        continue;
                    }

                    if (_discardPending[i])
                    {
                        long due = DiscardDue(i, now);
                        nextDiscard = due < nextDiscard ? due : nextDiscard;
                    }

                    long ready = WarmDeadline(i);
                    settled = ready > settled ? ready : settled;
                }

                long target = nextDiscard < settled ? nextDiscard : settled;
                if (target <= now)
                {
                    if (nextDiscard == long.MaxValue)
                    {
                        return;
                    }

                    target = nextDiscard; // always later than now (DiscardDue)
                }

                if (target > end)
                {
                    if (end > now)
                    {
                        clock.Sleep((int)(end - now));
                    }

                    return;
                }

                if (target > now)
                {
                    clock.Sleep((int)(target - now));
                }
            }
        }

        /// <summary>
        /// Samples every sensor and writes one reading per configured quantity into
        /// <paramref name="into"/> from <paramref name="index"/> (Seq left 0 for the caller).
        /// <paramref name="sinceStartMs"/> is the time since the rails came on (for WARMING_UP against
        /// the config's and the driver's warm-up); a sensor whose datasheet settle has not passed is
        /// not read at all.
        /// Returns the number of readings written.
        /// </summary>
        public int SampleAll(IClock clock, long time, int sinceStartMs, Reading[] into, int index)
        {
            _batteryVolts = double.NaN;

            // Pass 1: the medium's temperature, so that pass 2 reads pH/EC/DO already compensated
            // with this round's value.
            for (int i = 0; i < _count; i++)
            {
                if (_temperatureSource[i])
                {
                    SampleSensor(clock, i, sinceStartMs);
                }
            }

            double tempC = FindMediumTemperature();
            if (!FMath.IsFinite(tempC))
            {
                tempC = TemperatureCompensation.ReferenceC;
            }

            // Pass 2: every other sensor.
            for (int i = 0; i < _count; i++)
            {
                if (_temperatureSource[i])
                {
                    continue;
                }

                if (_compensated[i] != null)
                {
                    _compensated[i].TemperatureC = tempC;
                }

                SampleSensor(clock, i, sinceStartMs);
            }

            // Readings in config order, whatever the sampling order was.
            int n = 0;
            for (int i = 0; i < _count; i++)
            {
                SensorConfig c = _configs[i];
                for (int ch = 0; ch < c.Quantities.Length; ch++)
                {
                    Emit(i, ch, time, ref into[index + n]);
                    n++;
                }
            }

            return n;
        }

        private void StartOne(int i, long now)
        {
            _startedMs[i] = now;
            if (_sensors[i] == null)
            {
                return;
            }

            // A driver with more channels than the buffers hold would write past them: the
            // sensor is reported failed (NO_VALUE) instead of crashing the wake.
            if (_sensors[i].ChannelCount > _raw.Length)
            {
                _state[i] = ReadResult.Fault;
                return;
            }

            ReadResult r = _sensors[i].Initialize();
            if (r == ReadResult.Ok)
            {
                r = _sensors[i].Start();
            }

            _state[i] = r;
            _discardPending[i] = r == ReadResult.Ok && SensorSettle.DiscardsFirstReading(_configs[i].Kind);
        }

        // When the reading to drop is due (its driver's warm-up after its start); reads and drops it
        // when due now, then starts the sensor again. Returns the next time to look at it.
        private long DiscardDue(int i, long now)
        {
            long due = _startedMs[i] + _sensors[i].WarmupMs;
            if (now < due)
            {
                return due;
            }

            ReadResult r = _sensors[i].Read(_raw);
            if (r == ReadResult.NotReady)
            {
                return now + SampleGapMs;
            }

            _discardPending[i] = false;
            if (ReadResultQuality.HasValue(r))
            {
                r = _sensors[i].Start();
                _startedMs[i] = now;
            }

            _state[i] = r;
            return long.MaxValue;
        }

        // Time from which sensor i counts as warm: the datasheet settle and config warmupMs after
        // power-on, the driver's warm-up after its (last) start; a reading still to drop adds one
        // more driver warm-up.
        private long WarmDeadline(int i)
        {
            long byPower = _poweredMs + SensorSettle.WaitMs(_configs[i].Kind, _configs[i].WarmupMs);
            int driverWarm = _sensors[i].WarmupMs;
            long byStart = _startedMs[i] + driverWarm + (_discardPending[i] ? driverWarm : 0);
            return byPower > byStart ? byPower : byStart;
        }

        // True when the datasheet says sensor i cannot give a reading worth keeping yet.
        private bool Settled(int i, long now)
        {
            return !_discardPending[i] && now - _poweredMs >= SensorSettle.SettleMs(_configs[i].Kind);
        }

        /// <summary>The bound tipping-bucket gauge (the first one), or null: its counter can wake the node.</summary>
        public Sensors.Rain.RainGaugeSensor RainGauge
        {
            get
            {
                for (int i = 0; i < _count; i++)
                {
                    Sensors.Rain.RainGaugeSensor g = _sensors[i] as Sensors.Rain.RainGaugeSensor;
                    if (g != null)
                    {
                        return g;
                    }
                }

                return null;
            }
        }

        /// <summary>Powers every sensor down (before deep sleep).</summary>
        public void SleepAll()
        {
            for (int i = 0; i < _count; i++)
            {
                if (_sensors[i] != null)
                {
                    _sensors[i].Sleep();
                }
            }
        }

        private void SampleSensor(IClock clock, int i, int sinceStartMs)
        {
            SensorConfig c = _configs[i];
            int channels = c.Quantities.Length;
            int baseIndex = i * SensorConfig.MaxQuantities;
            ISensor s = _sensors[i];
            ReadResult state = _state[i];
            if (s != null && state == ReadResult.Ok && !Settled(i, clock.Millis))
            {
                state = ReadResult.WarmingUp; // a read before the datasheet settle is not taken
            }

            if (s == null || state != ReadResult.Ok)
            {
                int f = ReadResultQuality.ToFlags(state) | QualityFlags.NoValue;
                for (int ch = 0; ch < channels; ch++)
                {
                    _chanFlags[baseIndex + ch] = f;
                    _chanValue[baseIndex + ch] = double.NaN;
                    _chanRaw[baseIndex + ch] = double.NaN;
                }

                return;
            }

            int want = c.Samples < 1 ? 1 : (c.Samples > SensorConfig.MaxSamples ? SensorConfig.MaxSamples : c.Samples);
            int got = 0;
            int flags = 0;
            ReadResult lastFailure = ReadResult.Ok;
            for (int k = 0; k < want; k++)
            {
                ReadResult r = s.Read(_raw);
                for (int retry = 0; r == ReadResult.NotReady && retry < NotReadyRetries; retry++)
                {
                    clock.Sleep(SampleGapMs);
                    r = s.Read(_raw);
                }

                if (ReadResultQuality.HasValue(r))
                {
                    for (int ch = 0; ch < channels && ch < s.ChannelCount; ch++)
                    {
                        _samples[ch][got] = _raw[ch];
                    }

                    if (_rawSource[i] != null)
                    {
                        _rawSamples[got] = _rawSource[i].LastVolts;
                    }

                    flags |= ReadResultQuality.ToFlags(r);
                    got++;
                }
                else
                {
                    lastFailure = r;
                }

                if (k + 1 < want)
                {
                    clock.Sleep(SampleGapMs);
                }
            }

            int warm = c.WarmupMs > s.WarmupMs ? c.WarmupMs : s.WarmupMs;
            if (sinceStartMs < warm)
            {
                flags |= QualityFlags.WarmingUp;
            }

            // One raw measurement behind all channels (EC and TDS share the pin volts), reduced by
            // the same filter as the values so that raw and value come from the same samples.
            double rawVolts = _rawSource[i] != null && got > 0 ? SampleFilter.Reduce(c.Filter, _rawSamples, got) : double.NaN;
            for (int ch = 0; ch < channels; ch++)
            {
                int k = baseIndex + ch;
                _chanRaw[k] = rawVolts;
                if (got == 0 || ch >= s.ChannelCount)
                {
                    _chanValue[k] = double.NaN;
                    _chanFlags[k] = ReadResultQuality.ToFlags(lastFailure) | QualityFlags.NoValue;
                    continue;
                }

                int f = flags;
                if (c.StuckSamples >= 2 && LongestRun(_samples[ch], got) >= c.StuckSamples)
                {
                    f |= QualityFlags.Stuck;
                }

                _chanValue[k] = SampleFilter.Reduce(c.Filter, _samples[ch], got);
                _chanFlags[k] = f;
            }
        }

        private static CalibrationResult Calibrate(CalibrationRecord record, ICalibratable target)
        {
            if (record == null)
            {
                return CalibrationResult.Incomplete;
            }

            return target == null ? CalibrationResult.WrongKind : target.Apply(record);
        }

        private static bool MeasuresMediumTemperature(SensorConfig c)
        {
            for (int ch = 0; ch < c.Quantities.Length; ch++)
            {
                if (c.Quantities[ch] == Quantities.WaterTemp || c.Quantities[ch] == Quantities.SoilTemp)
                {
                    return true;
                }
            }

            return false;
        }

        private double FindMediumTemperature()
        {
            for (int i = 0; i < _count; i++)
            {
                if (!_temperatureSource[i])
                {
                    continue;
                }

                SensorConfig c = _configs[i];
                for (int ch = 0; ch < c.Quantities.Length; ch++)
                {
                    int q = c.Quantities[ch];
                    int k = (i * SensorConfig.MaxQuantities) + ch;
                    if ((q == Quantities.WaterTemp || q == Quantities.SoilTemp) && (_chanFlags[k] & QualityFlags.NoValue) == 0 && FMath.IsFinite(_chanValue[k]))
                    {
                        return _chanValue[k];
                    }
                }
            }

            return double.NaN;
        }

        // A record in the config that is not in force, or a calibratable probe on its vendor
        // defaults: the values are not traceable to a calibration (protocol §4 UNCALIBRATED).
        private int CalibrationFlags(int i, long time)
        {
            if (_configs[i].Calibration != null && _calibration[i] != CalibrationResult.Ok)
            {
                return QualityFlags.Uncalibrated;
            }

            if (IsExpired(i, time))
            {
                return QualityFlags.Uncalibrated;
            }

            ICalibratable c = _calibratable[i];
            return c != null && c.CalibrationId == null ? QualityFlags.Uncalibrated : QualityFlags.None;
        }

        /// <summary>
        /// True when the record of sensor entry <paramref name="index"/> is in force but older than
        /// its maximum age at <paramref name="time"/>: the value is still converted with it, and
        /// flagged UNCALIBRATED (protocol §4 "or it has expired") so stale calibration shows.
        /// Only a synced clock can age a record (an unsynced RTC counts from 0 after a power-on);
        /// a record without <c>at</c> (0) cannot be aged and never expires.
        /// </summary>
        public bool IsExpired(int index, long time)
        {
            if (index < 0 || index >= _count || _maxAgeSec[index] <= 0 || _calibration[index] != CalibrationResult.Ok || time < ProtocolLimits.SyncedEpoch)
            {
                return false;
            }

            long at = _configs[index].Calibration.CreatedUnixSeconds;
            return at > 0 && time - at > _maxAgeSec[index];
        }

        private void Emit(int i, int ch, long time, ref Reading r)
        {
            SensorConfig c = _configs[i];
            int k = (i * SensorConfig.MaxQuantities) + ch;
            int q = c.Quantities[ch];
            double value = _chanValue[k];
            int flags = _chanFlags[k] | CalibrationFlags(i, time);
            r.Set(0, time, q, double.NaN, flags);
            if ((flags & QualityFlags.NoValue) != 0 || !FMath.IsFinite(value))
            {
                r.Flags = flags | QualityFlags.NoValue;
                return;
            }

            if (FMath.IsFinite(_chanRaw[k]))
            {
                r.Raw = _chanRaw[k];
                r.HasRaw = true;
            }

            if (!Quantities.IsPlausible(q, value))
            {
                flags |= QualityFlags.OutOfRange;
            }

            r.Value = value;
            r.Flags = flags;
            if (q == Quantities.DeviceBattery && !FMath.IsFinite(_batteryVolts))
            {
                _batteryVolts = value;
            }
        }

        private static int LongestRun(double[] a, int n)
        {
            int best = 1;
            int run = 1;
            for (int i = 1; i < n; i++)
            {
                run = a[i] == a[i - 1] ? run + 1 : 1;
                best = run > best ? run : best;
            }

            return best;
        }
    }
}
