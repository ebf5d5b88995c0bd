using IoTMonitor.Gateway.Metering;

namespace IoTMonitor.Gateway.Tests.Metering;

/// <summary>
/// Volumes against a known hydrograph Q(t) = 0.5 + 0.3·sin(2πt/86400) m³/s, whose integral is known
/// in closed form. The trapezoid rule's error over a span L with steps of at most h is at most
/// L·h²/12·max|Q''| (max|Q''| = 0.3·(2π/86400)²): the tests hold the volumes to that bound.
/// </summary>
public sealed class Volumes_Tests
{
    private const long Day = 86400;
    private const long T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, a multiple of 86400

    private static double Q(long t) => 0.5 + (0.3 * Math.Sin(2 * Math.PI * (t - T0) / Day));

    private static double Integral(long a, long b) =>
        (0.5 * (b - a)) + (0.3 * Day / (2 * Math.PI) * (Math.Cos(2 * Math.PI * (a - T0) / Day) - Math.Cos(2 * Math.PI * (b - T0) / Day)));

    private static double Bound(long span, long step) => span * (double)step * step / 12 * 0.3 * Math.Pow(2 * Math.PI / Day, 2);

    private static List<(long, long)> Hours(long from, long to) => MeteringPeriods.Make(from, to, "hour", 0);

    [Fact]
    public void Hourly_volumes_through_loss_duplicates_and_late_arrival_equal_the_integral_within_the_trapezoid_bound()
    {
        var all = Enumerable.Range(0, 97).Select(i => T0 + (i * 900L)).ToList();
        var lost = all.Where((_, i) => i % 7 != 3).ToList(); // every 7th reading lost: some steps are 1800 s
        var sent = lost.Concat(lost.Where((_, i) => i % 5 == 0)) // resends
            .OrderBy(t => (t * 7919) % 101) // arrival order unrelated to sampling time (late batches)
            .Select(t => new FlowSample(t, Q(t), false));

        var hours = FlowIntegrator.Integrate(sent, Hours(T0, T0 + Day), 3600);

        Assert.Equal(24, hours.Count);
        foreach (var h in hours)
        {
            Assert.Equal(3600, h.CoveredSeconds);
            Assert.Equal(0, h.GapSeconds);
            Assert.Equal(1.0, h.Completeness);
            Assert.InRange(Math.Abs(h.Volume - Integral(h.Start, h.End)), 0, Bound(3600, 1800));
        }

        var day = FlowIntegrator.Integrate(lost.Select(t => new FlowSample(t, Q(t), false)), [(T0, T0 + Day)], 3600).Single();
        Assert.Equal(day.Volume, hours.Sum(h => h.Volume), 6); // the hours add up to the day
        Assert.InRange(Math.Abs(day.Volume - Integral(T0, T0 + Day)), 0, Bound(Day, 1800));
        Assert.Equal(43200, Integral(T0, T0 + Day), 6);
    }

    [Fact]
    public void A_gap_longer_than_the_maximum_is_stated_not_bridged()
    {
        // readings every 900 s except 03:00–06:00 (the node was cut off)
        var samples = Enumerable.Range(0, 97).Select(i => T0 + (i * 900L))
            .Where(t => t <= T0 + (3 * 3600) || t >= T0 + (6 * 3600))
            .Select(t => new FlowSample(t, Q(t), false));

        var day = FlowIntegrator.Integrate(samples, [(T0, T0 + Day)], 3600).Single();

        Assert.Equal(3 * 3600, day.GapSeconds);
        Assert.Equal(Day - (3 * 3600), day.CoveredSeconds);
        Assert.Equal(0.875, day.Completeness, 6);
        var covered = Integral(T0, T0 + (3 * 3600)) + Integral(T0 + (6 * 3600), T0 + Day);
        Assert.InRange(Math.Abs(day.Volume - covered), 0, Bound(Day, 900));
    }

    [Fact]
    public void A_reading_without_a_discharge_breaks_coverage_and_a_flagged_one_is_counted()
    {
        var samples = new[]
        {
            new FlowSample(T0, 1.0, false),
            new FlowSample(T0 + 900, 1.0, true),
            new FlowSample(T0 + 1800, null, false),
            new FlowSample(T0 + 2700, 1.0, false),
            new FlowSample(T0 + 3600, 1.0, false),
        };
        var hour = FlowIntegrator.Integrate(samples, [(T0, T0 + 3600)], 3600).Single();
        Assert.Equal(1800, hour.CoveredSeconds);
        Assert.Equal(1800, hour.GapSeconds);
        Assert.Equal(900, hour.FlaggedSeconds); // 00:00–00:15 ends on the flagged reading; 00:15–00:30 ends without a discharge: a gap
        Assert.Equal(1800, hour.Volume, 9);
        Assert.Equal(4, hour.Readings);
    }

    [Fact]
    public void A_totaliser_gives_the_exact_volume_across_loss_duplicates_and_a_reset()
    {
        // The meter's totaliser is the analytic cumulative volume, as the meter keeps it to 0.001 m³.
        // At 10:07:30 someone resets it to 0; the node loses every reading from 14:00 to 20:00.
        long reset = T0 + (10 * 3600) + 450;
        double Total(long t) => Math.Round(t < reset ? 5000 + Integral(T0, t) : Integral(reset, t), 3);
        var times = Enumerable.Range(0, 97).Select(i => T0 + (i * 900L))
            .Where(t => t <= T0 + (14 * 3600) || t >= T0 + (20 * 3600)).ToList();
        var samples = times.Concat(times.Take(10)).Reverse().Select(t => new TotaliserSample(t, Total(t), false));

        var hours = TotaliserDifference.Volumes(samples, Hours(T0, T0 + Day), 3600);

        // everything but the 7.5 minutes between the 10:00 reading and the reset, which nobody read
        const double Resolution = 0.002; // two totaliser readings, each rounded to 0.001 m³
        Assert.InRange(Math.Abs(Integral(T0, T0 + Day) - Integral(T0 + (10 * 3600), reset) - hours.Sum(h => h.Volume)), 0, Resolution);
        Assert.Equal(1, hours.Sum(h => h.Resets));
        Assert.Equal(1, hours[10].Resets);
        Assert.Equal(900, hours[10].GapSeconds);
        Assert.Equal(6 * 3600, hours.Sum(h => h.InterpolatedSeconds));
        Assert.Equal(900, hours.Sum(h => h.GapSeconds));
        foreach (var h in hours.Where(h => h.InterpolatedSeconds == 0 && h.Resets == 0))
        {
            Assert.InRange(Math.Abs(Integral(h.Start, h.End) - h.Volume), 0, Resolution);
        }

        // 14:00–20:00 as one span: exact, though shared between its hours in proportion to time
        Assert.InRange(Math.Abs(Integral(T0 + (14 * 3600), T0 + (20 * 3600)) - hours.Skip(14).Take(6).Sum(h => h.Volume)), 0, Resolution);
    }

    [Fact]
    public void A_totaliser_rolling_over_at_its_configured_count_is_counted_exactly_and_without_it_the_fall_is_a_reset()
    {
        // a 5-digit register (99999.999 m³, then 0) that starts the day at 80 000 m³: it wraps at about 13:00
        const double Rollover = 100000;
        double Total(long t) => Math.Round((80000 + Integral(T0, t)) % Rollover, 3);
        var times = Enumerable.Range(0, 97).Select(i => T0 + (i * 900L)).Where((_, i) => i % 7 != 3).ToList();
        var samples = times.Select(t => new TotaliserSample(t, Total(t), false)).ToList();

        var wrapped = TotaliserDifference.Volumes(samples, Hours(T0, T0 + Day), 3600, Rollover);
        Assert.InRange(Math.Abs(43200 - wrapped.Sum(h => h.Volume)), 0, 0.002);
        Assert.Equal(1, wrapped.Sum(h => h.Wraps));
        Assert.Equal(0, wrapped.Sum(h => h.Resets));
        Assert.All(wrapped, h => Assert.Equal(1.0, h.Completeness));

        // not configured: the same fall is a reset, the step before it a gap, the volume short by what flowed in it
        var unknown = TotaliserDifference.Volumes(samples, Hours(T0, T0 + Day), 3600);
        Assert.Equal(1, unknown.Sum(h => h.Resets));
        Assert.Equal(0, unknown.Sum(h => h.Wraps));
        Assert.True(unknown.Sum(h => h.GapSeconds) > 0);
        Assert.True(43200 - unknown.Sum(h => h.Volume) > 100);
    }

    [Fact]
    public void Local_days_follow_the_districts_clock_and_cut_the_range()
    {
        var days = MeteringPeriods.Make(T0, T0 + (2 * Day), "day", 480);
        Assert.Equal([(T0, T0 + (16 * 3600)), (T0 + (16 * 3600), T0 + (40 * 3600)), (T0 + (40 * 3600), T0 + (2 * Day))], days);
        Assert.Equal([(T0, T0 + 100)], MeteringPeriods.Make(T0, T0 + 100, "season", 480));
        Assert.Throws<ArgumentException>(() => MeteringPeriods.Make(T0, T0 + (40 * Day), "hour", 0));
        Assert.Throws<ArgumentException>(() => MeteringPeriods.Make(T0, T0 + Day, "week", 0));
    }

    [Fact]
    public void A_channel_adds_its_sites_volumes_and_is_as_complete_as_its_least_complete_site()
    {
        var a = new PeriodVolume(0, 3600, 100, 3600, 0, 0, 0, 0, 4);
        var b = new PeriodVolume(0, 3600, 50, 1800, 1800, 900, 0, 1, 2);
        var c = PeriodVolume.Combine([a, b]);
        Assert.Equal(150, c.Volume);
        Assert.Equal(0.5, c.Completeness);
        Assert.Equal(1800, c.GapSeconds);
        Assert.Equal(1, c.Resets);
        Assert.Equal(6, c.Readings);
    }
}
