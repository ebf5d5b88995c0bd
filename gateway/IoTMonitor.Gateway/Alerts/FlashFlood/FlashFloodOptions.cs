namespace IoTMonitor.Gateway.Alerts.FlashFlood;

/// <summary>
/// Flash-flood warnings (appsettings <c>Alerts:FlashFlood</c>; docs/alerts.md "Flash-flood warnings",
/// docs/config.md). Only the sites listed under <see cref="Sites"/> are watched: a warning needs
/// somebody to warn.
/// </summary>
public sealed class FlashFloodOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>The flash-flood rule pack: durations, the two levels' texts and default critical rainfall with a source per figure.</summary>
    public string PackPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "Alerts", "RulePacks", "flashflood.json");

    /// <summary>A warning level ends (all clear) when its condition has been off this long (reading time); 0 = the pack's value.</summary>
    public int ClearHoldMinutes { get; set; }

    /// <summary>Rain readings kept in memory and in alerts.db: the longest duration plus this margin for late data.</summary>
    public int KeepExtraHours { get; set; } = 24;

    /// <summary>Watched sites by site id.</summary>
    public Dictionary<string, FlashFloodSite> Sites { get; set; } = new(StringComparer.Ordinal);

    internal IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (ClearHoldMinutes is < 0 or > 1440 || KeepExtraHours is < 1 or > 720)
        {
            yield return "Alerts:FlashFlood:ClearHoldMinutes must be 0–1440 and KeepExtraHours 1–720";
        }

        foreach (var (id, site) in Sites)
        {
            foreach (var problem in site.Validate())
            {
                yield return $"Alerts:FlashFlood:Sites:{id}: {problem}";
            }
        }
    }
}

/// <summary>One watched site: its critical values (each overriding the pack's) and whom a warning is for.</summary>
public sealed class FlashFloodSite
{
    /// <summary>Critical rainfall (mm) of the prepare-to-evacuate level by duration in minutes; a duration not set takes the pack's.</summary>
    public Dictionary<int, double> Prepare { get; set; } = [];

    /// <summary>Critical rainfall (mm) of the evacuate-immediately level by duration in minutes.</summary>
    public Dictionary<int, double> Immediate { get; set; } = [];

    /// <summary>Warning water level (m, as the site's level probe reads) of each level; null = not used.</summary>
    public double? LevelPrepare { get; set; }

    public double? LevelImmediate { get; set; }

    /// <summary>Rise of the water level (m) within <see cref="RiseWindowMinutes"/> that reaches each level; null = not used.</summary>
    public double? RisePrepare { get; set; }

    public double? RiseImmediate { get; set; }

    public int RiseWindowMinutes { get; set; } = 15;

    /// <summary>Where this site's figures come from (e.g. the county's 临界雨量 analysis report); empty = the pack's examples are used and said so.</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>The villages or river sections the site protects, with their contacts and what they must do.</summary>
    public List<WarningTarget> Targets { get; set; } = [];

    internal IEnumerable<string> Validate()
    {
        foreach (var (minutes, mm) in Prepare.Concat(Immediate))
        {
            if (minutes is < 1 or > 4320 || mm <= 0)
            {
                yield return $"critical rainfall {minutes} min = {mm} mm: durations 1–4320 min, rainfall > 0";
            }
        }

        foreach (var (minutes, prepare) in Prepare)
        {
            if (Immediate.TryGetValue(minutes, out var immediate) && immediate < prepare)
            {
                yield return $"critical rainfall for {minutes} min: Immediate ({immediate} mm) is below Prepare ({prepare} mm)";
            }
        }

        if (LevelPrepare is { } lp && LevelImmediate is { } li && li < lp)
        {
            yield return "LevelImmediate is below LevelPrepare";
        }

        if (RisePrepare <= 0 || RiseImmediate <= 0 || RiseWindowMinutes is < 1 or > 1440)
        {
            yield return "RisePrepare and RiseImmediate must be > 0, RiseWindowMinutes 1–1440";
        }

        if (Targets.Count == 0)
        {
            yield return "Targets: at least one village or section to warn";
        }

        foreach (var target in Targets.Where(t => string.IsNullOrWhiteSpace(t.Name)))
        {
            yield return "Targets: every target needs a Name";
        }
    }
}

/// <summary>A village or river section a site's warning is for.</summary>
public sealed class WarningTarget
{
    public string Name { get; set; } = string.Empty;

    /// <summary>village, section, school, camp, ...: what the place is.</summary>
    public string Kind { get; set; } = "village";

    /// <summary>Households or people at risk (shown in the notice; 0 = not given).</summary>
    public int People { get; set; }

    /// <summary>Where to go (the shelter / assembly point of the village's evacuation plan).</summary>
    public string Shelter { get; set; } = string.Empty;

    /// <summary>What they must do at prepare-to-evacuate; empty = the pack's text.</summary>
    public string Prepare { get; set; } = string.Empty;

    /// <summary>What they must do at evacuate-immediately; empty = the pack's text.</summary>
    public string Immediate { get; set; } = string.Empty;

    public List<WarningContact> Contacts { get; set; } = [];
}

/// <summary>Who is responsible at a target (village head, warning officer): the notice names them; SMS and e-mail reach them when those channels are on.</summary>
public sealed class WarningContact
{
    public string Name { get; set; } = string.Empty;

    public string Role { get; set; } = string.Empty;

    public string Phone { get; set; } = string.Empty;

    public string Email { get; set; } = string.Empty;
}
