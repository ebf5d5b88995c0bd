using IoTMonitor.Firmware.Core.Config;

namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// What event mode costs (Node/EventMode: a sampling and an upload every <c>eventSampleSec</c>),
    /// from the same model as the daily figures (<see cref="PowerModel"/>).
    /// </summary>
    public static class EventModeCost
    {
        /// <summary>Charge per hour on the normal schedule, mAh.</summary>
        public static double NormalHourMah(DeviceConfig config, PowerProfile p)
        {
            return PowerModel.DailyMah(config, p) / 24;
        }

        /// <summary>Charge per hour in event mode (every wake samples and uploads), mAh.</summary>
        public static double EventHourMah(DeviceConfig config, PowerProfile p)
        {
            int sec = config.EventSampleSec < config.SampleSec ? config.EventSampleSec : config.SampleSec;
            return PowerModel.DailyMah(config, p, sec, sec, false) / 24;
        }
    }
}
