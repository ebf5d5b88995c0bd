namespace IoTMonitor.Gateway.Forwarding;

/// <summary>
/// Periods of the platforms' local time: the standards stamp wall-clock time at a fixed UTC offset
/// (Beijing time, UTC+8, by default), so hours and days begin at local midnight, not at UTC's.
/// </summary>
public static class LocalPeriods
{
    /// <summary>Start (Unix seconds) of the period of <paramref name="periodSeconds"/> holding <paramref name="unixSeconds"/>, aligned to local midnight.</summary>
    public static long Start(long unixSeconds, long periodSeconds, TimeSpan offset)
    {
        var local = unixSeconds + (long)offset.TotalSeconds;
        return unixSeconds - (((local % periodSeconds) + periodSeconds) % periodSeconds);
    }
}
