namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// The enabled rules the engine evaluates, replaced as a whole when the store's rules change (the
/// API's rule edits), so a group sees one consistent list. One reason to change: which rules apply.
/// </summary>
internal sealed class RuleSet(AlertStore store)
{
    private List<AlertRule> _rules = [];

    public IReadOnlyList<AlertRule> Current => Volatile.Read(ref _rules);

    /// <summary>The enabled rules as the store holds them now (read outside the engine's lock).</summary>
    public List<AlertRule> Load() => store.LoadRules().Select(r => r.Rule).Where(r => r.Enabled).ToList();

    /// <summary>Replaces the list (under the engine's lock, between groups).</summary>
    public void Set(List<AlertRule> rules) => Volatile.Write(ref _rules, rules);

    public AlertRule? ById(string id)
    {
        foreach (var rule in Current)
        {
            if (rule.Id == id)
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>The alert's rule: enabled, disabled (still in the store) or deleted (named from the alert).</summary>
    public AlertRule Of(Alert alert) =>
        ById(alert.RuleId)
        ?? store.LoadRules().Select(r => r.Rule).FirstOrDefault(r => r.Id == alert.RuleId)
        ?? new AlertRule { Id = alert.RuleId, Name = alert.RuleName, Source = "rule deleted" };
}
