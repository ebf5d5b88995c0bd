namespace IoTMonitor.Gateway.Alerts.Internal;

public enum Transition
{
    /// <summary>Nothing changed (or the reading was not usable).</summary>
    None,

    /// <summary>The condition has held long enough: open an alert.</summary>
    Raise,

    /// <summary>Still raised: the alert stays open (its worst value and trend may change).</summary>
    Hold,

    /// <summary>The condition is over (past the hysteresis band): resolve.</summary>
    Clear,
}

/// <summary>
/// State the engine persists between readings and across restarts, which knows whether it changed
/// since it was last written: the engine writes a state once per evaluation group, and only when an
/// evaluation actually moved it (a duplicate, an older or an untrusted reading does not).
/// </summary>
public abstract class TrackedState
{
    /// <summary>Set by every change; cleared by whoever wrote or loaded the state.</summary>
    internal bool Changed { get; set; }

    /// <summary>
    /// Set by a change that decides what the engine does next (a condition turning active or
    /// pending, a node's announced schedule): such a state is written in the same commit as the
    /// alert change it goes with. Other changes (last value, sample windows, counters, last seen)
    /// are written at most every few seconds: a crash loses only those, and the next readings
    /// rebuild them.
    /// </summary>
    internal bool Decisive { get; set; }

    internal void Saved() => Changed = Decisive = false;

    protected void Set<T>(ref T field, T value)
    {
        if (!EqualityComparer<T>.Default.Equals(field, value))
        {
            field = value;
            Changed = Decisive = true;
        }
    }

    protected void SetLazy<T>(ref T field, T value)
    {
        if (!EqualityComparer<T>.Default.Equals(field, value))
        {
            field = value;
            Changed = true;
        }
    }
}

/// <summary>
/// The evaluation window of one rule for one device: persisted between readings and across restarts
/// (JSON, and its sample window in a compact binary form). Times are reading (sampling) times in Unix seconds.
/// </summary>
public sealed class RuleState : TrackedState
{
    public bool Active { get; set => Set(ref field, value); }

    public long? PendingSince { get; set => Set(ref field, value); }

    public long LastT { get; set => SetLazy(ref field, value); }

    public double? LastValue { get; set => SetLazy(ref field, value); }

    /// <summary>Probe fault: consecutive flagged readings.</summary>
    public int Flagged { get; set => SetLazy(ref field, value); }

    /// <summary>Probe fault: consecutive repeats of the same value.</summary>
    public int Repeats { get; set => SetLazy(ref field, value); }

    /// <summary>
    /// Rate / battery: recent samples as [t, value] (changed only through <see cref="RuleEvaluator.Slide"/>,
    /// which marks the state changed). Not part of the state's JSON: stored beside it in the compact
    /// form of <see cref="SampleWindowCodec"/> (up to 256 samples, written every few seconds).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public List<double[]> Window { get; set; } = [];

    /// <summary>When the condition last became active (reading time).</summary>
    public long? Since { get; set => Set(ref field, value); }

    /// <summary>Worst value while active.</summary>
    public double? Worst { get; set => SetLazy(ref field, value); }
}

/// <summary>What one evaluation found: the transition, the value that decided it and a short trend text.</summary>
public readonly record struct Evaluation(Transition Transition, double? Value, string Trend);

/// <summary>
/// Pure rule logic: threshold (hysteresis + minimum duration), rate of change, battery (low or
/// predicted exhaustion) and probe fault (flags or flat line). Readings older than the last one
/// seen for the same rule and device are ignored, so a late duplicate never moves the state back.
/// Silence is evaluated against the gateway clock in <see cref="SilenceEvaluator"/>.
/// </summary>
public static class RuleEvaluator
{
    /// <summary>Readings carrying these flags are not trusted for threshold, rate and battery rules.</summary>
    public const long Untrusted = 4 | 8 | 64; // NO_VALUE | WARMING_UP | SENSOR_FAULT

    public const int MaxWindowSamples = 256;

    public static Evaluation Evaluate(AlertRule rule, RuleState state, long t, double? value, long flags)
    {
        if (t < state.LastT)
        {
            return new(Transition.None, value, string.Empty);
        }

        return rule.Kind switch
        {
            RuleKind.Threshold => Threshold(rule, state, t, value, flags),
            RuleKind.Rate => Rate(rule, state, t, value, flags),
            RuleKind.Battery => Battery(rule, state, t, value),
            RuleKind.ProbeFault => ProbeFault(rule, state, t, value, flags),
            _ => new(Transition.None, value, string.Empty),
        };
    }

    // The trend texts are only built for a transition: most readings change nothing, and formatting
    // one for every reading cost several strings per reading and rule.
    private static Evaluation Threshold(AlertRule rule, RuleState state, long t, double? value, long flags)
    {
        if (value is not { } v || (flags & Untrusted) != 0)
        {
            return new(Transition.None, value, string.Empty);
        }

        var (lastT, lastValue) = (state.LastT, state.LastValue);
        state.LastT = t;
        state.LastValue = v;
        Transition transition;
        if (!state.Active)
        {
            var exceeding = (rule.Above is { } a && v > a) || (rule.Below is { } b && v < b);
            transition = Pending(rule, state, t, v, exceeding);
        }
        else
        {
            var inside = (rule.Above is not { } hi || v <= hi - rule.Hysteresis) && (rule.Below is not { } lo || v >= lo + rule.Hysteresis);
            transition = inside ? Cleared(state) : Held(rule, state, v);
        }

        return new(transition, v, transition == Transition.None ? string.Empty : Trend(lastT, lastValue, t, v));
    }

    private static Evaluation Rate(AlertRule rule, RuleState state, long t, double? value, long flags)
    {
        if (value is not { } v || (flags & Untrusted) != 0)
        {
            return new(Transition.None, value, string.Empty);
        }

        state.LastT = t;
        state.LastValue = v;
        Slide(state, t, v, rule.WindowSeconds);
        double min = v, max = v;
        long minT = t, maxT = t;
        foreach (var s in state.Window)
        {
            if (s[1] < min)
            {
                min = s[1];
                minT = (long)s[0];
            }

            if (s[1] > max)
            {
                max = s[1];
                maxT = (long)s[0];
            }
        }

        var rise = v - min;
        var fall = max - v;
        Transition transition;
        if (!state.Active)
        {
            var fast = (rule.RiseBy is { } r && rise >= r) || (rule.FallBy is { } f && fall >= f);
            transition = Pending(rule, state, t, v, fast);
        }
        else
        {
            var calm = (rule.RiseBy is not { } r2 || rise < r2 - rule.Hysteresis) && (rule.FallBy is not { } f2 || fall < f2 - rule.Hysteresis);
            transition = calm ? Cleared(state) : Held(rule, state, v);
        }

        var trend = transition == Transition.None ? string.Empty
            : rise >= fall ? $"+{Fmt(rise)} in {Minutes(t - minT)}"
            : $"-{Fmt(fall)} in {Minutes(t - maxT)}";
        return new(transition, v, trend);
    }

    private static Evaluation Battery(AlertRule rule, RuleState state, long t, double? value)
    {
        if (value is not { } v || rule.Below is not { } cutoff)
        {
            return new(Transition.None, value, string.Empty);
        }

        state.LastT = t;
        state.LastValue = v;
        Slide(state, t, v, 48 * 3600);
        var hours = HoursToCutoff(state.Window, cutoff);
        var low = v < cutoff || (rule.ExhaustionHours > 0 && hours is { } left && left <= rule.ExhaustionHours);
        Transition transition;
        if (!state.Active)
        {
            transition = Pending(rule, state, t, v, low);
        }
        else
        {
            var recovered = v >= cutoff + rule.Hysteresis && (rule.ExhaustionHours <= 0 || hours is not { } l2 || l2 > rule.ExhaustionHours * 1.5);
            transition = recovered ? Cleared(state) : Held(rule, state, v);
        }

        var trend = transition == Transition.None ? string.Empty
            : hours is { } h ? $"about {Math.Max(0, h):0} h to {Fmt(cutoff)} V at the current drain" : "steady";
        return new(transition, v, trend);
    }

    private static Evaluation ProbeFault(AlertRule rule, RuleState state, long t, double? value, long flags)
    {
        var flagged = (flags & rule.FlagMask) != 0;
        state.Flagged = flagged ? state.Flagged + 1 : 0;
        state.Repeats = value is { } v && state.LastValue is { } last && v == last && !flagged ? state.Repeats + 1 : 0;
        state.LastT = t;
        state.LastValue = value;
        var fault = state.Flagged >= rule.Samples || state.Repeats >= rule.Samples - 1;
        Transition transition;
        if (!state.Active)
        {
            if (fault)
            {
                state.Active = true;
                state.Since = t;
                state.Worst = value;
            }

            transition = fault ? Transition.Raise : Transition.None;
        }
        else
        {
            transition = state.Flagged == 0 && state.Repeats == 0 ? Cleared(state) : Transition.Hold;
        }

        var trend = transition == Transition.None ? string.Empty
            : state.Flagged > 0 ? $"{state.Flagged} flagged readings in a row (flags {flags})"
            : state.Repeats > 0 ? $"same value {state.Repeats + 1} readings in a row" : "changing";
        return new(transition, value, trend);
    }

    private static Transition Pending(AlertRule rule, RuleState state, long t, double v, bool condition)
    {
        if (!condition)
        {
            state.PendingSince = null;
            return Transition.None;
        }

        state.PendingSince ??= t;
        if (t - state.PendingSince.Value < rule.MinDurationSeconds)
        {
            return Transition.None;
        }

        state.Active = true;
        state.Since = state.PendingSince;
        state.PendingSince = null;
        state.Worst = v;
        return Transition.Raise;
    }

    private static Transition Held(AlertRule rule, RuleState state, double v)
    {
        var worse = rule.Kind == RuleKind.Threshold && rule.Below is { } && rule.Above is null || rule.Kind == RuleKind.Battery
            ? v < (state.Worst ?? v)
            : v > (state.Worst ?? v);
        if (worse || state.Worst is null)
        {
            state.Worst = v;
        }

        return Transition.Hold;
    }

    private static Transition Cleared(RuleState state)
    {
        state.Active = false;
        state.PendingSince = null;
        state.Since = null;
        state.Worst = null;
        return Transition.Clear;
    }

    private static string Trend(long lastT, double? lastValue, long t, double v)
    {
        if (lastValue is not { } last || t <= lastT)
        {
            return "first reading";
        }

        var d = v - last;
        var word = d > 0 ? "rising" : d < 0 ? "falling" : "steady";
        return d == 0 ? word : $"{word} ({(d > 0 ? "+" : string.Empty)}{Fmt(d)} since {Minutes(t - lastT)} ago)";
    }

    internal static void Slide(RuleState state, long t, double v, int seconds)
    {
        var window = state.Window;
        var cut = t - seconds;
        var drop = 0;
        while (drop < window.Count && (window[drop][0] < cut || window.Count + 1 - drop > MaxWindowSamples))
        {
            drop++;
        }

        // the oldest sample that leaves the window carries the new one: a full window allocates nothing per reading
        var sample = drop > 0 ? window[0] : new double[2];
        window.RemoveRange(0, drop);
        sample[0] = t;
        sample[1] = v;
        window.Add(sample);
        state.Changed = true;
    }

    /// <summary>Least-squares line through the samples; hours until it reaches <paramref name="cutoff"/>, or null when not falling or too few samples.</summary>
    internal static double? HoursToCutoff(List<double[]> samples, double cutoff)
    {
        if (samples.Count < 4 || samples[^1][0] - samples[0][0] < 3600)
        {
            return null;
        }

        double n = samples.Count, sx = 0, sy = 0, sxx = 0, sxy = 0;
        var t0 = samples[0][0];
        foreach (var s in samples)
        {
            var x = s[0] - t0;
            sx += x;
            sy += s[1];
            sxx += x * x;
            sxy += x * s[1];
        }

        var den = (n * sxx) - (sx * sx);
        if (den <= 0)
        {
            return null;
        }

        var slope = ((n * sxy) - (sx * sy)) / den; // volts per second
        if (slope >= 0)
        {
            return null;
        }

        var intercept = (sy - (slope * sx)) / n;
        var now = samples[^1][0] - t0;
        var current = intercept + (slope * now);
        return (current - cutoff) / -slope / 3600.0;
    }

    internal static string Fmt(double v) => Math.Round(v, 3).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    internal static string Minutes(long seconds) => seconds < 120 ? $"{seconds} s" : $"{seconds / 60} min";
}

/// <summary>
/// Schedule-aware silence: a node announces when it will next report (status <c>next</c>) and its
/// interval (<c>wake</c>); it is silent only after it missed K of those reports. A sleeping node
/// before its announced time is not missing anything.
/// </summary>
public static class SilenceEvaluator
{
    /// <summary>Reports missed by <paramref name="now"/>: 0 before the first announced report (plus grace) has passed.</summary>
    public static int Missed(NodeSchedule schedule, long now, int graceSeconds, int fallbackIntervalSeconds)
    {
        var interval = schedule.WakeSeconds is > 0 ? schedule.WakeSeconds.Value : fallbackIntervalSeconds;
        long? expected = schedule.NextReport ?? (schedule.LastSeen > 0 ? schedule.LastSeen + interval : null);
        if (expected is not { } first || now <= first + graceSeconds)
        {
            return 0;
        }

        return interval <= 0 ? 1 : 1 + (int)Math.Min(int.MaxValue - 1, (now - first - graceSeconds) / interval);
    }
}

/// <summary>What the gateway knows of a node's reporting schedule (gateway clock, Unix seconds).</summary>
public sealed class NodeSchedule : TrackedState
{
    public string Site { get; set => Set(ref field, value); } = string.Empty;

    public string Device { get; set => Set(ref field, value); } = string.Empty;

    /// <summary>Last telemetry or status received (gateway time).</summary>
    public long LastSeen { get; set => SetLazy(ref field, value); }

    /// <summary>Announced next report (status <c>sleeping</c> → <c>next</c>); cleared when the node reports.</summary>
    public long? NextReport { get; set => Set(ref field, value); }

    /// <summary>Announced sampling interval (status <c>online</c> → <c>wake</c>).</summary>
    public int? WakeSeconds { get; set => Set(ref field, value); }

    public string State { get; set => Set(ref field, value); } = string.Empty;
}
