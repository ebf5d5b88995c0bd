using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>The device config's <c>power</c> object (docs/config.md): the low-battery policy's thresholds.</summary>
    public sealed partial class ConfigParser
    {
        private const int MinThresholdMv = 3000;
        private const int MaxThresholdMv = 4200;

        private ConfigError ReadPower()
        {
            ConfigError e = ExpectObject();
            while (e == ConfigError.None && (e = NextKey()) == ConfigError.None && _r.Token == JsonToken.PropertyName)
            {
                if (_r.ValueEquals("economyV"))
                {
                    e = ReadThresholdMv(ref _work.PowerEconomyMv);
                }
                else if (_r.ValueEquals("survivalV"))
                {
                    e = ReadThresholdMv(ref _work.PowerSurvivalMv);
                }
                else if (_r.ValueEquals("cutoffV"))
                {
                    e = ReadThresholdMv(ref _work.PowerCutoffMv);
                }
                else if (_r.ValueEquals("resumeV"))
                {
                    e = ReadThresholdMv(ref _work.PowerResumeMv);
                }
                else if (_r.ValueEquals("hysteresisV"))
                {
                    double v = -1;
                    e = ReadNumber(ref v);
                    if (e == ConfigError.None && (v < 0 || v > 0.5))
                    {
                        e = ConfigError.BadValue;
                    }

                    _work.PowerHysteresisMv = (int)((v * 1000) + 0.5);
                }
                else if (_r.ValueEquals("stretch"))
                {
                    e = ReadInt(1, 16, ref _work.PowerStretch);
                }
                else if (_r.ValueEquals("checkSec"))
                {
                    e = ReadInt(600, 86400, ref _work.PowerCheckSec);
                }
                else
                {
                    e = SkipValue();
                }
            }

            return e == ConfigError.None ? CheckPowerOrder() : e;
        }

        // 0 (off) or 3.0–4.2 V, kept in mV.
        private ConfigError ReadThresholdMv(ref int targetMv)
        {
            double v = -1;
            ConfigError e = ReadNumber(ref v);
            if (e != ConfigError.None)
            {
                return e;
            }

            int mv = (int)((v * 1000) + 0.5);
            if (v != 0 && (v < 0 || mv < MinThresholdMv || mv > MaxThresholdMv))
            {
                return ConfigError.BadValue;
            }

            targetMv = v == 0 ? 0 : mv;
            return ConfigError.None;
        }

        // The thresholds that are on must fall economy > survival > cutoff, and resume must lie above
        // cutoff (with the hysteresis), or a node could never leave a mode it entered.
        private ConfigError CheckPowerOrder()
        {
            int e = _work.PowerEconomyMv;
            int s = _work.PowerSurvivalMv;
            int c = _work.PowerCutoffMv;
            if ((e > 0 && s > 0 && s >= e) || (e > 0 && c > 0 && c >= e) || (s > 0 && c > 0 && c >= s))
            {
                return ConfigError.BadValue;
            }

            if (c > 0 && _work.PowerResumeMv <= c)
            {
                return ConfigError.BadValue;
            }

            return ConfigError.None;
        }
    }
}
