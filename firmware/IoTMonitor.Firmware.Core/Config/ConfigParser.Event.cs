namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>
    /// The event-mode keys (docs/config.md "Event mode"), read at the top level of both the device
    /// config and the remote overlay: an operator can arm, tune or disarm event mode remotely.
    /// </summary>
    public sealed partial class ConfigParser
    {
        private bool IsEventKey()
        {
            return _r.ValueEquals("eventSampleSec") || _r.ValueEquals("eventHoldSec")
                || _r.ValueEquals("eventRainWindowSec") || _r.ValueEquals("eventRainMm")
                || _r.ValueEquals("eventRiseWindowSec") || _r.ValueEquals("eventRiseM");
        }

        private ConfigError ReadEventKey()
        {
            if (_r.ValueEquals("eventSampleSec"))
            {
                return ReadInt(10, 86400, ref _work.EventSampleSec);
            }

            if (_r.ValueEquals("eventHoldSec"))
            {
                return ReadInt(0, 7 * 86400, ref _work.EventHoldSec);
            }

            if (_r.ValueEquals("eventRainWindowSec"))
            {
                return ReadInt(60, 86400, ref _work.EventRainWindowSec);
            }

            if (_r.ValueEquals("eventRiseWindowSec"))
            {
                return ReadInt(60, 86400, ref _work.EventRiseWindowSec);
            }

            if (_r.ValueEquals("eventRainMm"))
            {
                return ReadRange(0, 1000, ref _work.EventRainMm);
            }

            return ReadRange(0, 100, ref _work.EventRiseM);
        }

        private ConfigError ReadRange(double min, double max, ref double target)
        {
            double v = -1;
            ConfigError e = ReadNumber(ref v);
            if (e != ConfigError.None)
            {
                return e;
            }

            if (!(v >= min && v <= max))
            {
                return ConfigError.BadValue;
            }

            target = v;
            return ConfigError.None;
        }
    }
}
