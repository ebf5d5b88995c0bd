namespace IoTMonitor.Firmware.Core.Filters
{
    /// <summary>How the N samples of one sampling round become one value (config key <c>filter</c>).</summary>
    public enum FilterKind
    {
        /// <summary>The last sample.</summary>
        None = 0,

        /// <summary>The median (robust to single spikes).</summary>
        Median = 1,

        /// <summary>The mean after dropping the lowest and highest 20 % (at least one each from 3 samples).</summary>
        TrimmedMean = 2,
    }
}
