using System.Text.Json;

namespace IoTMonitor.Gateway.Alerts.FlashFlood;

/// <summary>The two warning levels of China's flash-flood practice, in order of escalation.</summary>
public enum WarningLevel
{
    None = 0,

    /// <summary>准备转移: prepare to evacuate.</summary>
    Prepare = 1,

    /// <summary>立即转移: evacuate immediately.</summary>
    Immediate = 2,
}

/// <summary>
/// The flash-flood rule pack (<c>Alerts/RulePacks/flashflood.json</c>): the durations summed, the
/// hold before an all clear, and per level the rule's texts and the default critical rainfall by
/// duration, each figure with its source. A site's own figures (<see cref="FlashFloodSite"/>) win.
/// </summary>
public sealed class FlashFloodPack
{
    public string Name { get; set; } = string.Empty;

    public string Notes { get; set; } = string.Empty;

    public List<int> DurationsMinutes { get; set; } = [];

    public int ClearHoldMinutes { get; set; } = 30;

    public string ClearHoldSource { get; set; } = string.Empty;

    public List<FlashFloodLevel> Levels { get; set; } = [];

    public int LongestMinutes => DurationsMinutes.Count == 0 ? 0 : DurationsMinutes.Max();

    public FlashFloodLevel Of(WarningLevel level) => Levels.First(l => l.Level == level);

    public static FlashFloodPack Load(string path)
    {
        using var stream = File.OpenRead(path);
        var pack = JsonSerializer.Deserialize<FlashFloodPack>(stream, AlertRule.Json) ?? throw new InvalidDataException($"flash-flood pack {path} is empty");
        var errors = pack.Problems().ToList();
        if (errors.Count > 0)
        {
            throw new InvalidDataException($"flash-flood pack {path}:\n  " + string.Join("\n  ", errors));
        }

        return pack;
    }

    internal IEnumerable<string> Problems()
    {
        if (DurationsMinutes.Count == 0 || DurationsMinutes.Any(d => d is < 1 or > 4320))
        {
            yield return "durationsMinutes: one or more durations of 1–4320 minutes";
        }

        foreach (var level in new[] { WarningLevel.Prepare, WarningLevel.Immediate })
        {
            if (Levels.Count(l => l.Level == level) != 1)
            {
                yield return $"levels: exactly one '{level.ToString().ToLowerInvariant()}' level";
            }
        }

        foreach (var level in Levels)
        {
            foreach (var problem in level.Rule().Validate())
            {
                yield return problem;
            }

            foreach (var figure in level.Rainfall.Where(f => !DurationsMinutes.Contains(f.Minutes) || f.Mm <= 0 || string.IsNullOrWhiteSpace(f.Source)))
            {
                yield return $"{level.RuleId}: rainfall {figure.Minutes} min must be one of durationsMinutes, > 0 mm, with a source";
            }
        }
    }
}

/// <summary>One warning level of the pack: its alert rule's texts and default critical rainfall.</summary>
public sealed class FlashFloodLevel
{
    public WarningLevel Level { get; set; }

    public string RuleId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string NameZh { get; set; } = string.Empty;

    public Severity Severity { get; set; } = Severity.Warning;

    public string Source { get; set; } = string.Empty;

    /// <summary>What the warned must do (a target's own text wins).</summary>
    public string Action { get; set; } = string.Empty;

    public string ActionZh { get; set; } = string.Empty;

    public List<RainfallFigure> Rainfall { get; set; } = [];

    /// <summary>
    /// The level as an alert rule (one alert per site), so the engine's lifecycle, acknowledgement,
    /// re-notification, escalation and every channel apply to it unchanged.
    /// </summary>
    public AlertRule Rule() => new()
    {
        Id = RuleId,
        Name = Name,
        NameZh = NameZh,
        Kind = RuleKind.FlashFlood,
        Quantity = "rain.total",
        Per = "site",
        Severity = Severity,
        Source = Source,
        Action = Action,
        ActionZh = ActionZh,
    };
}

/// <summary>A default critical rainfall and where the figure comes from.</summary>
public sealed class RainfallFigure
{
    public int Minutes { get; set; }

    public double Mm { get; set; }

    public string Source { get; set; } = string.Empty;
}
