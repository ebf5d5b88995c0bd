namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// When an upload wake measures the joined AP's RSSI. The only source is a Wi-Fi scan (≈ 2 s of
    /// receive current, ≈ 0.06 mAh at 100 mA), so not every upload pays for it: a cold start, service
    /// mode, and the first upload wake of each clock hour. The hourly figure is what the health view
    /// needs to see a link degrade; unmeasured batches report 0 (unknown).
    /// </summary>
    public static class RssiSchedule
    {
        /// <summary>Seconds between scheduled measurements.</summary>
        public const int PeriodSec = 3600;

        /// <summary>True when this upload wake should scan.</summary>
        public static bool Due(bool coldStart, bool service, long nowUtc, long lastUploadUtc)
        {
            if (coldStart || service || lastUploadUtc <= 0 || nowUtc < lastUploadUtc)
            {
                return true;
            }

            return (nowUtc / PeriodSec) != (lastUploadUtc / PeriodSec);
        }
    }
}
