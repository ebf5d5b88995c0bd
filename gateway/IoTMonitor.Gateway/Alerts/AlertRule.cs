using System.Text.Json;
using System.Text.Json.Serialization;
using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Alerts;

public enum RuleKind
{
    /// <summary>Value above <c>above</c> and/or below <c>below</c>, with hysteresis and a minimum duration.</summary>
    Threshold,

    /// <summary>Value rose by <c>riseBy</c> (or fell by <c>fallBy</c>) within <c>windowSeconds</c>.</summary>
    Rate,

    /// <summary>The node missed <c>missedReports</c> of its own announced reports (status <c>next</c>/<c>wake</c>).</summary>
    Silence,

    /// <summary>Battery (batch health <c>h.bat</c>) below <c>below</c> volts, or predicted to reach it within <c>exhaustionHours</c>.</summary>
    Battery,

    /// <summary>Quality flags in <c>flagMask</c> on <c>samples</c> consecutive readings, or a value flat-lined for <c>samples</c> readings.</summary>
    ProbeFault,

    /// <summary>A flash-flood warning level of a site (FlashFlood/: rainfall sums, water level, rise; one rule per level from the flash-flood pack).</summary>
    FlashFlood,

    /// <summary>A channel's metered volume in an allocation period beyond <c>above</c> × its allocation (Metering: channels' <c>Allocations</c>).</summary>
    Allocation,

    /// <summary>A channel's mean flow over the last <c>windowSeconds</c> below <c>below</c> m³/s (or the delivery's own least flow) while a delivery is scheduled, <c>minDurationSeconds</c> after it began.</summary>
    NoFlow,
}

public enum Severity
{
    Info,
    Warning,
    Critical,
}

/// <summary>Which readings a rule looks at. Every list empty = everything; several lists = all must match.</summary>
public sealed class RuleScope
{
    public List<string> Sites { get; set; } = [];

    public List<string> Devices { get; set; } = [];

    /// <summary>Site types of the one vocabulary (<see cref="Registry.SiteTypes"/>), matched against the site's profile.</summary>
    public List<string> SiteTypes { get; set; } = [];

    /// <summary>Basins as entered in the site profiles (compared ignoring case).</summary>
    public List<string> Basins { get; set; } = [];
}

/// <summary>One alert rule (rule pack JSON and the rules API share this shape).</summary>
public sealed class AlertRule
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = false,
    };

    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    /// <summary>The name in Simplified Chinese (notices to chat groups); empty = <see cref="Name"/>.</summary>
    public string NameZh { get; set; } = string.Empty;

    public RuleKind Kind { get; set; }

    /// <summary>Quantity code (<c>water.level</c>) or a domain wildcard (<c>water.*</c>); not used by silence and battery rules.</summary>
    public string? Quantity { get; set; }

    public RuleScope Scope { get; set; } = new();

    public Severity Severity { get; set; } = Severity.Warning;

    /// <summary>One open alert per rule and <c>device</c> (default) or per rule and <c>site</c>.</summary>
    public string Per { get; set; } = "device";

    public double? Above { get; set; }

    public double? Below { get; set; }

    /// <summary>Threshold: the value must come back this far inside the limit to clear.</summary>
    public double Hysteresis { get; set; }

    /// <summary>Threshold / rate: the condition must hold this long (reading time) before the alert opens.</summary>
    public int MinDurationSeconds { get; set; }

    public double? RiseBy { get; set; }

    public double? FallBy { get; set; }

    public int WindowSeconds { get; set; } = 900;

    /// <summary>Silence: missed announced reports before the alert opens (K).</summary>
    public int MissedReports { get; set; } = 3;

    /// <summary>Silence: slack added to every announced report time.</summary>
    public int GraceSeconds { get; set; } = 120;

    /// <summary>Battery: predicted hours to reach <c>below</c> that open the alert (0 = prediction off).</summary>
    public double ExhaustionHours { get; set; }

    /// <summary>Probe fault: quality bits that count as a fault (default STUCK | NO_VALUE | SENSOR_FAULT = 70).</summary>
    public long FlagMask { get; set; } = 70;

    /// <summary>Probe fault: consecutive flagged or identical readings.</summary>
    public int Samples { get; set; } = 6;

    /// <summary>Public source of the limit, or "site-specific" / "unconfirmed" with the reason.</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>What the reader of the message should do.</summary>
    public string Action { get; set; } = string.Empty;

    /// <summary><see cref="Action"/> in Simplified Chinese; empty = <see cref="Action"/>.</summary>
    public string ActionZh { get; set; } = string.Empty;

    public bool Enabled { get; set; } = true;

    public AlertRule Clone() => JsonSerializer.Deserialize<AlertRule>(JsonSerializer.Serialize(this, Json), Json)!;

    public bool MatchesQuantity(string code)
    {
        if (string.IsNullOrEmpty(Quantity))
        {
            return false;
        }

        if (Quantity.EndsWith(".*", StringComparison.Ordinal))
        {
            return code.StartsWith(Quantity.AsSpan(0, Quantity.Length - 1), StringComparison.Ordinal);
        }

        return Quantity == code;
    }

    public bool MatchesScope(string site, string device, SiteInfo? info)
    {
        var s = Scope;
        return (s.Sites.Count == 0 || s.Sites.Contains(site))
            && (s.Devices.Count == 0 || s.Devices.Contains(device))
            && (s.SiteTypes.Count == 0 || (info is not null && ContainsIgnoringCase(s.SiteTypes, info.Type)))
            && (s.Basins.Count == 0 || (info is not null && ContainsIgnoringCase(s.Basins, info.Basin)));
    }

    // Runs for every rule and batch: Enumerable.Contains with a comparer boxes the list's enumerator.
    private static bool ContainsIgnoringCase(List<string> list, string value)
    {
        foreach (var item in list)
        {
            if (string.Equals(item, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsValidId(string id) =>
        id.Length is >= 1 and <= 64 && char.IsAsciiLetterLower(id[0]) | char.IsAsciiDigit(id[0])
        && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_');

    /// <summary>Problems that make the rule unusable, each naming the field.</summary>
    public IEnumerable<string> Validate()
    {
        if (!IsValidId(Id))
        {
            yield return $"rule id '{Id}' must be 1–64 characters of a-z 0-9 . - _, starting with a letter or digit";
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            yield return $"rule {Id}: name is required";
        }

        if (Per is not ("device" or "site"))
        {
            yield return $"rule {Id}: per must be 'device' or 'site'";
        }

        if (string.IsNullOrWhiteSpace(Source))
        {
            yield return $"rule {Id}: source is required (cite the public source, or say 'site-specific')";
        }

        switch (Kind)
        {
            case RuleKind.Threshold:
                if (Above is null && Below is null)
                {
                    yield return $"rule {Id}: a threshold rule needs above and/or below";
                }

                if (Hysteresis < 0 || MinDurationSeconds < 0)
                {
                    yield return $"rule {Id}: hysteresis and minDurationSeconds must be ≥ 0";
                }

                break;
            case RuleKind.Rate:
                if (RiseBy is null && FallBy is null)
                {
                    yield return $"rule {Id}: a rate rule needs riseBy and/or fallBy";
                }

                if (WindowSeconds < 1)
                {
                    yield return $"rule {Id}: windowSeconds must be ≥ 1";
                }

                break;
            case RuleKind.Silence:
                if (MissedReports < 1)
                {
                    yield return $"rule {Id}: missedReports must be ≥ 1";
                }

                break;
            case RuleKind.Battery:
                if (Below is null)
                {
                    yield return $"rule {Id}: a battery rule needs below (volts)";
                }

                break;
            case RuleKind.ProbeFault:
                if (Samples < 2)
                {
                    yield return $"rule {Id}: samples must be ≥ 2";
                }

                break;
            case RuleKind.Allocation:
                if (Above is not > 0 || Quantity != "flow.total")
                {
                    yield return $"rule {Id}: an allocation rule needs quantity flow.total (its value is the volume, m³) and above > 0 (the share of the allocation that raises it: 1 = all of it)";
                }

                break;
            case RuleKind.NoFlow:
                if (Below is not >= 0 || WindowSeconds < 60 || MinDurationSeconds < 0 || Quantity != "flow.rate")
                {
                    yield return $"rule {Id}: a no_flow rule needs quantity flow.rate (its value is the mean flow, m³/s), below ≥ 0 m³/s, windowSeconds ≥ 60 and minDurationSeconds ≥ 0";
                }

                break;
        }

        if (Kind is RuleKind.Threshold or RuleKind.Rate or RuleKind.ProbeFault)
        {
            if (string.IsNullOrEmpty(Quantity) || (!Quantity.EndsWith(".*", StringComparison.Ordinal) && IoTMonitor.Gateway.Validation.Quantities.Find(Quantity) is null))
            {
                yield return $"rule {Id}: quantity '{Quantity}' is not a protocol quantity (docs/protocol.md §8) or a 'domain.*' wildcard";
            }
        }

        foreach (var type in Scope.SiteTypes.Where(t => !Registry.SiteTypes.IsKnown(t)))
        {
            yield return $"rule {Id}: scope.siteTypes '{type}' is not a site type: " + Registry.SiteTypes.Problem("each entry");
        }
    }
}

/// <summary>The rule pack file: <c>{"name": ..., "rules": [...]}</c>.</summary>
public sealed class RulePack
{
    public string Name { get; set; } = string.Empty;

    public string Notes { get; set; } = string.Empty;

    public List<AlertRule> Rules { get; set; } = [];

    public static RulePack Load(string path)
    {
        using var stream = File.OpenRead(path);
        var pack = JsonSerializer.Deserialize<RulePack>(stream, AlertRule.Json) ?? throw new InvalidDataException($"rule pack {path} is empty");
        var errors = pack.Rules.SelectMany(r => r.Validate()).ToList();
        var duplicate = pack.Rules.GroupBy(r => r.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            errors.Add($"rule id '{duplicate.Key}' appears twice");
        }

        if (errors.Count > 0)
        {
            throw new InvalidDataException($"rule pack {path}:\n  " + string.Join("\n  ", errors));
        }

        return pack;
    }
}
