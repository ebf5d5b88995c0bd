using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

public sealed class RuleEvaluatorTests
{
    private static AlertRule Above(double limit, double hysteresis = 0, int minDuration = 0) =>
        new() { Id = "t", Name = "t", Kind = RuleKind.Threshold, Quantity = "water.level", Above = limit, Hysteresis = hysteresis, MinDurationSeconds = minDuration, Source = "test" };

    [Fact]
    public void Threshold_raises_after_the_minimum_duration_and_clears_only_past_the_hysteresis()
    {
        var rule = Above(3.5, hysteresis: 0.2, minDuration: 600);
        var s = new RuleState();
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 1000, 3.6, 0).Transition);
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 1300, 3.7, 0).Transition);
        Assert.Equal(Transition.Raise, RuleEvaluator.Evaluate(rule, s, 1600, 3.8, 0).Transition);
        Assert.Equal(1000, s.Since);
        Assert.Equal(Transition.Hold, RuleEvaluator.Evaluate(rule, s, 1700, 3.4, 0).Transition); // inside the band: still on
        Assert.Equal(Transition.Clear, RuleEvaluator.Evaluate(rule, s, 1800, 3.29, 0).Transition);
    }

    [Fact]
    public void Threshold_pending_resets_when_the_value_dips_before_the_minimum_duration()
    {
        var rule = Above(3.5, minDuration: 600);
        var s = new RuleState();
        RuleEvaluator.Evaluate(rule, s, 1000, 3.6, 0);
        RuleEvaluator.Evaluate(rule, s, 1300, 3.4, 0);
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 1700, 3.6, 0).Transition);
        Assert.Equal(Transition.Raise, RuleEvaluator.Evaluate(rule, s, 2300, 3.6, 0).Transition);
    }

    [Fact]
    public void Threshold_range_rule_fires_on_either_side_and_ignores_untrusted_and_older_readings()
    {
        var rule = new AlertRule { Id = "ph", Name = "ph", Kind = RuleKind.Threshold, Quantity = "water.ph", Above = 9, Below = 6, Hysteresis = 0.1, Source = "GB 3838-2002" };
        var s = new RuleState();
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 100, 5.5, 4 /* NO_VALUE */).Transition);
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 100, 5.5, 8 /* WARMING_UP */).Transition);
        Assert.Equal(Transition.Raise, RuleEvaluator.Evaluate(rule, s, 100, 5.9, 0).Transition);
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 50, 7.0, 0).Transition); // older: ignored
        Assert.Equal(Transition.Hold, RuleEvaluator.Evaluate(rule, s, 200, 6.05, 0).Transition);
        Assert.Equal(Transition.Clear, RuleEvaluator.Evaluate(rule, s, 300, 6.2, 0).Transition);
        Assert.Equal(Transition.Raise, RuleEvaluator.Evaluate(rule, s, 400, 9.3, 0).Transition);
    }

    [Fact]
    public void Rate_detects_a_flash_flood_rise_within_the_window_only()
    {
        var rule = new AlertRule { Id = "r", Name = "r", Kind = RuleKind.Rate, Quantity = "water.level", RiseBy = 0.5, WindowSeconds = 1800, Source = "test" };
        var s = new RuleState();
        // slow rise: 0.1 m per 15 min never makes 0.5 m within 30 min
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, i * 900, 1.0 + (0.1 * i), 0).Transition);
        }

        // then +0.3 m in 5 min twice: +0.6 within the window
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 9300, 2.2, 0).Transition);
        var e = RuleEvaluator.Evaluate(rule, s, 9600, 2.5, 0);
        Assert.Equal(Transition.Raise, e.Transition);
        Assert.StartsWith("+0.6", e.Trend);
        // level stays high: the rise leaves the window and the rate alert clears
        Assert.Equal(Transition.Hold, RuleEvaluator.Evaluate(rule, s, 9900, 2.5, 0).Transition);
        Assert.Equal(Transition.Clear, RuleEvaluator.Evaluate(rule, s, 12000, 2.5, 0).Transition);
    }

    [Fact]
    public void Battery_predicts_exhaustion_from_the_drain_before_the_cutoff_is_reached()
    {
        var rule = new AlertRule { Id = "b", Name = "b", Kind = RuleKind.Battery, Below = 3.4, ExhaustionHours = 24, Hysteresis = 0.05, Source = "test" };
        var s = new RuleState();
        // 4.0 V falling 0.02 V per hour: 30 h to 3.4 V → not yet; at 3.84 V 22 h are left → raise
        Transition last = Transition.None;
        var hour = 0;
        for (; hour <= 8 && last != Transition.Raise; hour++)
        {
            last = RuleEvaluator.Evaluate(rule, s, hour * 3600L, 4.0 - (0.02 * hour), 0).Transition;
        }

        Assert.Equal(Transition.Raise, last);
        Assert.InRange(hour - 1, 6, 8);
        Assert.Null(RuleEvaluator.HoursToCutoff([[0, 4.0], [3600, 4.0], [7200, 4.0], [10800, 4.0]], 3.4));
        Assert.Equal(27, RuleEvaluator.HoursToCutoff([[0, 4.0], [3600, 3.98], [7200, 3.96], [10800, 3.94]], 3.4)!.Value, 3);
    }

    [Fact]
    public void Battery_below_cutoff_raises_at_once()
    {
        var rule = new AlertRule { Id = "b", Name = "b", Kind = RuleKind.Battery, Below = 3.4, Source = "test" };
        var s = new RuleState();
        Assert.Equal(Transition.Raise, RuleEvaluator.Evaluate(rule, s, 10, 3.35, 0).Transition);
        Assert.Equal(Transition.Clear, RuleEvaluator.Evaluate(rule, s, 20, 3.9, 0).Transition);
    }

    [Fact]
    public void Probe_fault_on_consecutive_flags_or_a_flat_line()
    {
        var rule = new AlertRule { Id = "p", Name = "p", Kind = RuleKind.ProbeFault, Quantity = "water.*", Samples = 3, FlagMask = 70, Source = "test" };
        var s = new RuleState();
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 1, null, 4).Transition);
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 2, null, 4).Transition);
        Assert.Equal(Transition.Raise, RuleEvaluator.Evaluate(rule, s, 3, null, 4).Transition);
        Assert.Equal(Transition.Clear, RuleEvaluator.Evaluate(rule, s, 4, 7.1, 0).Transition);
        Assert.Equal(Transition.None, RuleEvaluator.Evaluate(rule, s, 5, 7.1, 0).Transition);
        Assert.Equal(Transition.Raise, RuleEvaluator.Evaluate(rule, s, 6, 7.1, 0).Transition); // 3 identical
        Assert.Equal(Transition.Clear, RuleEvaluator.Evaluate(rule, s, 7, 7.2, 0).Transition);
    }

    [Fact]
    public void Silence_counts_missed_announced_reports_not_sleep()
    {
        // node went to sleep at 1000 announcing its next report at 1900, interval 900 s
        var s = new NodeSchedule { LastSeen = 1000, NextReport = 1900, WakeSeconds = 900 };
        Assert.Equal(0, SilenceEvaluator.Missed(s, 1800, 60, 900)); // sleeping: nothing missed
        Assert.Equal(0, SilenceEvaluator.Missed(s, 1950, 60, 900)); // within grace
        Assert.Equal(1, SilenceEvaluator.Missed(s, 1961, 60, 900));
        Assert.Equal(2, SilenceEvaluator.Missed(s, 2861, 60, 900));
        Assert.Equal(3, SilenceEvaluator.Missed(s, 3761, 60, 900));
        // without an announcement: last seen + interval
        var quiet = new NodeSchedule { LastSeen = 1000, WakeSeconds = 300 };
        Assert.Equal(1, SilenceEvaluator.Missed(quiet, 1301, 0, 900));
        Assert.Equal(0, SilenceEvaluator.Missed(new NodeSchedule(), 99999, 0, 900));
    }

    [Fact]
    public void Scope_matches_quantity_wildcards_sites_types_and_basins()
    {
        var rule = new AlertRule { Quantity = "water.*", Scope = new RuleScope { SiteTypes = ["river"], Basins = ["huai"] } };
        Assert.True(rule.MatchesQuantity("water.ph"));
        Assert.False(rule.MatchesQuantity("air.pm25"));
        Assert.True(rule.MatchesScope("s1", "d1", new SiteInfo { Type = "River", Basin = "Huai" }));
        Assert.False(rule.MatchesScope("s1", "d1", new SiteInfo { Type = "river", Basin = "yangtze" }));
        Assert.False(rule.MatchesScope("s1", "d1", null));
        var bySite = new AlertRule { Scope = new RuleScope { Sites = ["s1"], Devices = ["d2"] } };
        Assert.False(bySite.MatchesScope("s1", "d1", null));
        Assert.True(bySite.MatchesScope("s1", "d2", null));
    }
}
