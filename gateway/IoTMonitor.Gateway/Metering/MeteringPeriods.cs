namespace IoTMonitor.Gateway.Metering;

/// <summary>
/// The periods volumes are reported for: local hours or days (the district's clock, <c>Metering:UtcOffsetMinutes</c>,
/// because water is allocated and billed by local day), or one period for the whole range (a season:
/// the caller gives its first and last day). The first and last period are cut to the range asked.
/// </summary>
public static class MeteringPeriods
{
    /// <summary>Most periods one answer holds (a 31-day month of hours is 744).</summary>
    public const int MaxPeriods = 800;

    public static List<(long Start, long End)> Make(long from, long to, string kind, int utcOffsetMinutes)
    {
        long step = kind switch
        {
            "hour" => 3600,
            "day" => 86400,
            "season" => 0,
            _ => throw new ArgumentException($"period must be hour, day or season (got '{kind}')"),
        };

        if (step == 0)
        {
            return [(from, to)];
        }

        var offset = utcOffsetMinutes * 60L;
        var periods = new List<(long, long)>();
        var start = from;
        while (start < to)
        {
            // next local boundary after start
            var local = start + offset;
            var next = (local - Mod(local, step)) + step - offset;
            var end = Math.Min(next, to);
            periods.Add((start, end));
            start = end;
            if (periods.Count > MaxPeriods)
            {
                throw new ArgumentException($"the range holds more than {MaxPeriods} {kind} periods: ask for a shorter range or a longer period");
            }
        }

        return periods;
    }

    private static long Mod(long a, long m) => ((a % m) + m) % m;
}
