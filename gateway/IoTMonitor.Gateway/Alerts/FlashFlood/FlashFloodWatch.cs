using System.Globalization;

namespace IoTMonitor.Gateway.Alerts.FlashFlood;

/// <summary>What a site's readings say at one moment: the level reached and what decided it.</summary>
/// <param name="Level">The highest level whose condition holds.</param>
/// <param name="Value">The deciding value (mm of rain, m of level or of rise) of the highest level; for none, the largest rainfall sum's.</param>
/// <param name="Reason">The deciding criteria of each level, e.g. "1 h rain 42.0 mm ≥ 40 mm".</param>
public readonly record struct SiteCondition(WarningLevel Level, double Value, string PrepareReason, string ImmediateReason)
{
    public string ReasonFor(WarningLevel level) => level == WarningLevel.Immediate ? ImmediateReason : PrepareReason;
}

/// <summary>
/// The flash-flood state of the watched sites: the rain ledger (exact increments and window sums,
/// <see cref="RainLedger"/>), the recent water levels, and the per-site critical values (the site's
/// own, else the pack's). Pure apart from what it is fed; the engine persists the rain readings.
/// </summary>
public sealed class FlashFloodWatch
{
    private readonly FlashFloodOptions _options;
    private readonly Dictionary<string, List<(long T, double Level)>> _levels = new(StringComparer.Ordinal);

    public FlashFloodWatch(FlashFloodOptions options, FlashFloodPack pack)
    {
        _options = options;
        Pack = pack;
    }

    public FlashFloodPack Pack { get; }

    public RainLedger Rain { get; } = new();

    /// <summary>How long a level's condition must have been off before it is all clear (seconds).</summary>
    public long ClearHoldSeconds => 60L * (_options.ClearHoldMinutes > 0 ? _options.ClearHoldMinutes : Pack.ClearHoldMinutes);

    /// <summary>Readings older than this before the newest are forgotten (seconds).</summary>
    public long KeepSeconds => 60L * Pack.LongestMinutes + 3600L * _options.KeepExtraHours;

    public bool Watches(string site) => _options.Sites.ContainsKey(site);

    public FlashFloodSite? Site(string site) => _options.Sites.GetValueOrDefault(site);

    public IEnumerable<string> Sites => _options.Sites.Keys;

    /// <summary>The critical rainfall of a level and duration at a site: the site's own, else the pack's (with its source).</summary>
    public (double Mm, string Source)? Critical(string site, WarningLevel level, int minutes)
    {
        var own = _options.Sites.GetValueOrDefault(site);
        var table = level == WarningLevel.Immediate ? own?.Immediate : own?.Prepare;
        if (table is not null && table.TryGetValue(minutes, out var mm))
        {
            return (mm, own!.Source.Length > 0 ? own.Source : "site-specific");
        }

        var figure = Pack.Of(level).Rainfall.FirstOrDefault(f => f.Minutes == minutes);
        return figure is null ? null : (figure.Mm, figure.Source);
    }

    /// <summary>A water level reading of a watched site (kept for the warning levels and the rise).</summary>
    public void AddLevel(string site, long t, double level)
    {
        if (!_levels.TryGetValue(site, out var list))
        {
            list = [];
            _levels[site] = list;
        }

        var i = list.Count;
        while (i > 0 && list[i - 1].T > t)
        {
            i--;
        }

        if (i > 0 && list[i - 1].T == t)
        {
            return; // the same sampling time again
        }

        list.Insert(i, (t, level));
        var window = 60L * (Site(site)?.RiseWindowMinutes ?? 15);
        list.RemoveAll(p => p.T < list[^1].T - window);
    }

    /// <summary>The site's condition at reading time <paramref name="t"/>: window sums ending at t, the latest level at or before t and its rise over the rise window.</summary>
    public SiteCondition Evaluate(string site, long t)
    {
        var config = Site(site);
        var reasons = new string[3];
        var level = WarningLevel.None;
        var value = 0.0;
        var largest = 0.0;
        foreach (var minutes in Pack.DurationsMinutes)
        {
            var sum = Rain.Sum(site, t, 60L * minutes);
            largest = Math.Max(largest, sum);
            foreach (var l in new[] { WarningLevel.Prepare, WarningLevel.Immediate })
            {
                if (Critical(site, l, minutes) is { } critical && sum >= critical.Mm)
                {
                    Note(reasons, l, $"{Duration(minutes)} rain {Mm(sum)} mm ≥ {Mm(critical.Mm)} mm ({critical.Source})");
                    if (l >= level)
                    {
                        value = l > level ? sum : Math.Max(value, sum);
                        level = l;
                    }
                }
            }
        }

        if (config is not null && _levels.TryGetValue(site, out var levels) && levels.Count > 0)
        {
            var upTo = levels.FindLastIndex(p => p.T <= t);
            if (upTo >= 0)
            {
                var now = levels[upTo].Level;
                var lowest = levels.Take(upTo + 1).Where(p => p.T >= levels[upTo].T - 60L * config.RiseWindowMinutes).Min(p => p.Level);
                var rise = now - lowest;
                Check(WarningLevel.Prepare, config.LevelPrepare, now, "water level {0:0.000} m ≥ {1:0.000} m", 0);
                Check(WarningLevel.Immediate, config.LevelImmediate, now, "water level {0:0.000} m ≥ {1:0.000} m", 0);
                Check(WarningLevel.Prepare, config.RisePrepare, rise, "level rose {0:0.000} m in {2} min ≥ {1:0.000} m", config.RiseWindowMinutes);
                Check(WarningLevel.Immediate, config.RiseImmediate, rise, "level rose {0:0.000} m in {2} min ≥ {1:0.000} m", config.RiseWindowMinutes);
            }
        }

        return new SiteCondition(level, level == WarningLevel.None ? largest : value, reasons[1] ?? string.Empty, reasons[2] ?? string.Empty);

        void Check(WarningLevel l, double? limit, double measured, string format, int minutes)
        {
            if (limit is { } x && measured >= x)
            {
                Note(reasons, l, string.Format(CultureInfo.InvariantCulture, format, measured, x, minutes));
                if (l > level)
                {
                    level = l;
                    value = measured;
                }
            }
        }
    }

    private static void Note(string[] reasons, WarningLevel level, string reason) =>
        reasons[(int)level] = reasons[(int)level] is { Length: > 0 } before ? before + "; " + reason : reason;

    internal static string Duration(int minutes) => minutes % 60 == 0 ? $"{minutes / 60} h" : $"{minutes} min";

    private static string Mm(double mm) => mm.ToString("0.0", CultureInfo.InvariantCulture);
}
