namespace IoTMonitor.Gateway.Metering;

/// <summary>
/// The volume of one period with how much of it the data covers. Every total is shown with these
/// figures beside it (docs/metering.md "Volumes"): a volume is exact only for its covered seconds.
/// </summary>
/// <param name="Start">Period start, Unix seconds (inclusive).</param>
/// <param name="End">Period end, Unix seconds (exclusive).</param>
/// <param name="Volume">m³ over the covered part of the period.</param>
/// <param name="CoveredSeconds">Seconds between readings no more than the maximum gap apart (flow integrated, or totaliser differenced with its split between periods exact to that gap).</param>
/// <param name="GapSeconds">Seconds with no usable reading pair: a gap longer than the maximum, a reading without a discharge, before the first or after the last reading.</param>
/// <param name="FlaggedSeconds">Covered seconds next to a reading rated outside its published range (out of range) or a meter reading with a fault flag.</param>
/// <param name="InterpolatedSeconds">Meter only: seconds of a longer gap whose volume is exact (the totaliser counted on) but was shared between periods in proportion to time.</param>
/// <param name="Resets">Meter only: times the totaliser fell other than by a known roll-over (a manual reset, or a wrap when no <c>Rollover</c> is configured); the volume after a fall is counted from 0.</param>
/// <param name="Readings">Readings inside the period.</param>
/// <param name="Wraps">Meter only: times the totaliser rolled over at its configured <c>Rollover</c> (counted exactly, not a gap).</param>
public sealed record PeriodVolume(long Start, long End, double Volume, long CoveredSeconds, long GapSeconds, long FlaggedSeconds, long InterpolatedSeconds, int Resets, int Readings, int Wraps = 0)
{
    /// <summary>Covered share of the period, 0–1 (meter: interpolated seconds count as covered for the volume, not for its split).</summary>
    public double Completeness => End > Start ? (double)(CoveredSeconds + InterpolatedSeconds) / (End - Start) : 0;

    /// <summary>Sums periods of the same span (the sites of one channel): volumes add, coverage is the least of them (a channel total is complete only where every site is).</summary>
    public static PeriodVolume Combine(IReadOnlyList<PeriodVolume> sites)
    {
        var first = sites[0];
        var worst = sites.MinBy(s => s.CoveredSeconds + s.InterpolatedSeconds)!;
        return new PeriodVolume(
            first.Start,
            first.End,
            sites.Sum(s => s.Volume),
            worst.CoveredSeconds,
            sites.Max(s => s.GapSeconds),
            sites.Max(s => s.FlaggedSeconds),
            worst.InterpolatedSeconds,
            sites.Sum(s => s.Resets),
            sites.Sum(s => s.Readings),
            sites.Sum(s => s.Wraps));
    }
}
