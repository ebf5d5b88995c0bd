using IoTMonitor.Firmware.Core.Calibration;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Filters;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Numerics;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Sampling
{
    /// <summary>
    /// One sampling round over all configured sensors: N samples per sensor, reduced by the
    /// configured filter (median / trimmed mean), calibrated (raw kept beside the value),
    /// checked against the plausible range and for stuck values, and written as readings.
    /// Buffers are preallocated for <see cref="MaxSensors"/> × <see cref="SensorConfig.MaxQuantities"/>
    /// channels, so a round allocates nothing.
    /// </summary>
    /// <remarks>
    /// Lifecycle per wake: <see cref="Bind"/> (after config load) → <see cref="StartAll"/> →
    /// the caller waits <see cref="WarmupMs"/> (NodeCycle's WarmingUp state) →
    /// <see cref="SampleAll"/> → <see cref="SleepAll"/>.
    /// </remarks>
    public sealed class Sampler
    {
        /// <summary>Most sensor entries a config may have.</summary>
        public const int MaxSensors = 16;

        /// <summary>Most samples per round a sensor entry may ask for.</summary>
        public const int MaxSamples = 15;

        /// <summary>Pause between two samples of one sensor, ms.</summary>
        public const int SampleGapMs = 20;

        /// <summary>Retries of a read that answers NotReady, each after <see cref="SampleGapMs"/>.</summary>
        public const int NotReadyRetries = 50;

        private const int MaxChannels = MaxSensors * SensorConfig.MaxQuantities;

        private readonly ISensor[] _sensors = new ISensor[MaxSensors];
        private readonly ReadResult[] _state = new ReadResult[MaxSensors];
        private readonly double[] _raw = new double[SensorConfig.MaxQuantities];
        private readonly double[][] _samples = new double[SensorConfig.MaxQuantities][];
        private readonly double[] _chanValue = new double[MaxChannels];
        private readonly int[] _chanFlags = new int[MaxChannels];
        private SensorConfig[] _configs = new SensorConfig[0];
        private int _count;

        /// <summary>Creates the sampler with its buffers.</summary>
        public Sampler()
        {
            for (int i = 0; i < _samples.Length; i++)
            {
                _samples[i] = new double[MaxSamples];
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

        /// <summary>Longest warm-up among the started sensors, ms.</summary>
        public int WarmupMs
        {
            get
            {
                int max = 0;
                for (int i = 0; i < _count; i++)
                {
                    if (_sensors[i] != null && _state[i] == ReadResult.Ok)
                    {
                        int w = _configs[i].WarmupMs > _sensors[i].WarmupMs ? _configs[i].WarmupMs : _sensors[i].WarmupMs;
                        max = w > max ? w : max;
                    }
                }

                return max;
            }
        }

        /// <summary>Creates the drivers for <paramref name="configs"/> through the host's factory.</summary>
        public void Bind(SensorConfig[] configs, ISensorFactory factory)
        {
            _count = configs.Length > MaxSensors ? MaxSensors : configs.Length;
            _configs = configs;
            for (int i = 0; i < _count; i++)
            {
                _sensors[i] = factory == null ? null : factory.Create(configs[i]);
                _state[i] = _sensors[i] == null ? ReadResult.NoResponse : ReadResult.NotInitialized;
            }
        }

        /// <summary>Initializes and starts every sensor; a sensor that fails is skipped this wake.</summary>
        public void StartAll()
        {
            for (int i = 0; i < _count; i++)
            {
                if (_sensors[i] == null)
                {
                    continue;
                }

                // A driver with more channels than the buffers hold would write past them: the
                // sensor is reported failed (NO_VALUE) instead of crashing the wake.
                if (_sensors[i].ChannelCount > _raw.Length)
                {
                    _state[i] = ReadResult.Fault;
                    continue;
                }

                ReadResult r = _sensors[i].Initialize();
                if (r == ReadResult.Ok)
                {
                    r = _sensors[i].Start();
                }

                _state[i] = r;
            }
        }

        /// <summary>
        /// Samples every sensor and writes one reading per configured quantity into
        /// <paramref name="into"/> from <paramref name="index"/> (Seq left 0 for the caller).
        /// <paramref name="sinceStartMs"/> is the time since <see cref="StartAll"/> (for WARMING_UP).
        /// Returns the number of readings written.
        /// </summary>
        public int SampleAll(IClock clock, long time, int sinceStartMs, Reading[] into, int index)
        {
            // Pass 1: raw values per channel (temperature must be known before pH/EC compensation).
            for (int i = 0; i < _count; i++)
            {
                SampleSensor(clock, i, sinceStartMs);
            }

            double tempC = FindMediumTemperature();

            // Pass 2: calibrate, check, emit.
            int n = 0;
            for (int i = 0; i < _count; i++)
            {
                SensorConfig c = _configs[i];
                for (int ch = 0; ch < c.Quantities.Length; ch++)
                {
                    int k = (i * SensorConfig.MaxQuantities) + ch;
                    Emit(c, ch, _chanValue[k], _chanFlags[k], tempC, time, ref into[index + n]);
                    n++;
                }
            }

            return n;
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
            if (s == null || _state[i] != ReadResult.Ok)
            {
                int f = ReadResultQuality.ToFlags(_state[i]) | QualityFlags.NoValue;
                for (int ch = 0; ch < channels; ch++)
                {
                    _chanFlags[baseIndex + ch] = f;
                    _chanValue[baseIndex + ch] = double.NaN;
                }

                return;
            }

            int want = c.Samples < 1 ? 1 : (c.Samples > MaxSamples ? MaxSamples : c.Samples);
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

            for (int ch = 0; ch < channels; ch++)
            {
                int k = baseIndex + ch;
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

        private double FindMediumTemperature()
        {
            for (int i = 0; i < _count; i++)
            {
                SensorConfig c = _configs[i];
                for (int ch = 0; ch < c.Quantities.Length; ch++)
                {
                    int q = c.Quantities[ch];
                    int k = (i * SensorConfig.MaxQuantities) + ch;
                    if ((q == Quantities.WaterTemp || q == Quantities.SoilTemp) && (_chanFlags[k] & QualityFlags.NoValue) == 0)
                    {
                        double t = c.Calibration == null ? _chanValue[k] : Calibrator.Apply(c.Calibration, _chanValue[k], double.NaN);
                        if (FMath.IsFinite(t))
                        {
                            return t;
                        }
                    }
                }
            }

            return double.NaN;
        }

        private static void Emit(SensorConfig c, int ch, double raw, int flags, double tempC, long time, ref Reading r)
        {
            int q = c.Quantities[ch];
            r.Set(0, time, q, double.NaN, flags);
            if ((flags & QualityFlags.NoValue) != 0 || !FMath.IsFinite(raw))
            {
                r.Flags = flags | QualityFlags.NoValue;
                return;
            }

            double value = raw;
            if (c.Calibration != null)
            {
                value = Calibrator.Apply(c.Calibration, raw, tempC);
                r.Raw = raw;
                r.HasRaw = true;
            }

            if (!FMath.IsFinite(value))
            {
                r.Flags = flags | QualityFlags.NoValue;
                return;
            }

            if (!Quantities.IsPlausible(q, value))
            {
                flags |= QualityFlags.OutOfRange;
            }

            r.Value = value;
            r.Flags = flags;
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
