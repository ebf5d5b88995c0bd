using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;

namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// Low-battery modes (<see cref="PowerMode"/>) from the calibrated battery voltage's trend and the
    /// config's <c>power</c> thresholds (docs/config.md): a mode steps down as soon as the trend is below
    /// its threshold, and back up only when the trend is above the threshold plus <c>hysteresisV</c>
    /// (out of Cutoff: above <c>resumeV</c>), so a node near a threshold does not flap. The trend is an
    /// exponential mean over about <see cref="TrendWeight"/> sampling wakes, so one sample sagging
    /// under load or one noisy reading does not switch modes. Mode and trend survive deep sleep in
    /// the node state. One instance per wake, no allocation after the first <see cref="Select"/>.
    /// </summary>
    public sealed class PowerPolicy
    {
        /// <summary>Weight of the newest reading in the trend: trend += (v − trend) / TrendWeight.</summary>
        public const int TrendWeight = 4;

        /// <summary>Longest stretched sampling interval, s (the config's own maximum).</summary>
        public const int MaxSampleSec = 86400;

        /// <summary>Longest stretched upload interval, s (the config's own maximum).</summary>
        public const int MaxUploadSec = 7 * 86400;

        private DeviceConfig _config;
        private PowerMode _mode;
        private int _trendMv;
        private bool _lastReportDue;
        private SensorConfig[] _selectedFrom;
        private PowerMode _selectedFor;
        private SensorConfig[] _selected;

        /// <summary>The mode in force.</summary>
        public PowerMode Mode
        {
            get { return _mode; }
        }

        /// <summary>The battery trend, mV (0: no reading yet).</summary>
        public int TrendMv
        {
            get { return _trendMv; }
        }

        /// <summary>True in the wake that entered Cutoff: it uploads once more (the last health report) before going quiet.</summary>
        public bool LastReportDue
        {
            get { return _lastReportDue; }
        }

        /// <summary>False while in Cutoff (except the wake that entered it): no Wi-Fi at all.</summary>
        public bool Uploads
        {
            get { return _mode != PowerMode.Cutoff || _lastReportDue; }
        }

        /// <summary>Starts a wake with the config in force and the mode and trend kept from the last wake.</summary>
        public void Begin(DeviceConfig config, int storedMode, int storedTrendMv)
        {
            _config = config;
            _mode = storedMode >= (int)PowerMode.Normal && storedMode <= (int)PowerMode.Cutoff ? (PowerMode)storedMode : PowerMode.Normal;
            _trendMv = storedTrendMv > 0 ? storedTrendMv : 0;
            _lastReportDue = false;
        }

        /// <summary>
        /// Feeds this wake's calibrated battery reading (NaN or ≤ 0: none, nothing changes) and moves
        /// the mode; returns the mode in force.
        /// </summary>
        public PowerMode Update(double volts)
        {
            if (!(volts > 0) || volts > 10)
            {
                return _mode;
            }

            int mv = (int)((volts * 1000) + 0.5);
            _trendMv = _trendMv == 0 ? mv : _trendMv + ((mv - _trendMv) / TrendWeight);
            PowerMode next = Next(_config, _mode, _trendMv);
            _lastReportDue = next == PowerMode.Cutoff && _mode != PowerMode.Cutoff;
            _mode = next;
            return _mode;
        }

        /// <summary>The mode after <paramref name="current"/> at a trend of <paramref name="trendMv"/> (pure; thresholds of 0 are off).</summary>
        public static PowerMode Next(DeviceConfig c, PowerMode current, int trendMv)
        {
            PowerMode level = LevelOf(c, trendMv);
            if (level >= current)
            {
                return level;
            }

            if (current == PowerMode.Cutoff)
            {
                if (trendMv < c.PowerResumeMv)
                {
                    return PowerMode.Cutoff;
                }

                PowerMode up = LevelOf(c, trendMv - c.PowerHysteresisMv);
                return up < PowerMode.Cutoff ? up : PowerMode.Survival;
            }

            PowerMode withHysteresis = LevelOf(c, trendMv - c.PowerHysteresisMv);
            return withHysteresis < current ? withHysteresis : current;
        }

        private static PowerMode LevelOf(DeviceConfig c, int mv)
        {
            if (c.PowerCutoffMv > 0 && mv < c.PowerCutoffMv)
            {
                return PowerMode.Cutoff;
            }

            if (c.PowerSurvivalMv > 0 && mv < c.PowerSurvivalMv)
            {
                return PowerMode.Survival;
            }

            if (c.PowerEconomyMv > 0 && mv < c.PowerEconomyMv)
            {
                return PowerMode.Economy;
            }

            return PowerMode.Normal;
        }

        /// <summary>The sampling interval in force for a configured (or <c>set_interval</c>) <paramref name="baseSec"/>.</summary>
        public int SampleSec(int baseSec)
        {
            if (_mode == PowerMode.Cutoff)
            {
                return _config.PowerCheckSec;
            }

            return _mode == PowerMode.Survival ? Stretch(baseSec, MaxSampleSec) : baseSec;
        }

        /// <summary>The upload interval in force for the configured <paramref name="baseSec"/>.</summary>
        public int UploadSec(int baseSec)
        {
            return _mode == PowerMode.Normal ? baseSec : Stretch(baseSec, MaxUploadSec);
        }

        /// <summary>True when <paramref name="sensor"/> is sampled in the mode in force.</summary>
        public bool Samples(SensorConfig sensor)
        {
            if (_mode == PowerMode.Cutoff)
            {
                return IsBattery(sensor);
            }

            return _mode != PowerMode.Survival || !SensorLoads.For(sensor, 3.7, 1).HighCurrent;
        }

        /// <summary>The entries of <paramref name="all"/> sampled in the mode in force (the same array when none is left out).</summary>
        public SensorConfig[] Select(SensorConfig[] all)
        {
            if (_selected != null && _selectedFrom == all && _selectedFor == _mode)
            {
                return _selected;
            }

            int n = 0;
            for (int i = 0; i < all.Length; i++)
            {
                n += Samples(all[i]) ? 1 : 0;
            }

            SensorConfig[] result = all;
            if (n != all.Length)
            {
                result = new SensorConfig[n];
                n = 0;
                for (int i = 0; i < all.Length; i++)
                {
                    if (Samples(all[i]))
                    {
                        result[n++] = all[i];
                    }
                }
            }

            _selectedFrom = all;
            _selectedFor = _mode;
            _selected = result;
            return result;
        }

        private int Stretch(int baseSec, int max)
        {
            long s = (long)baseSec * _config.PowerStretch;
            return s > max ? max : (int)s;
        }

        private static bool IsBattery(SensorConfig s)
        {
            for (int i = 0; i < s.Quantities.Length; i++)
            {
                if (s.Quantities[i] == Quantities.DeviceBattery)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
