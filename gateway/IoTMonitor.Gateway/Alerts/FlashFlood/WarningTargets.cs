using System.Text;

namespace IoTMonitor.Gateway.Alerts.FlashFlood;

/// <summary>What a flash-flood notice says about whom it is for, and which contacts the SMS and e-mail channels reach.</summary>
public static class WarningTargets
{
    /// <summary>
    /// The level's action followed by every target: name, kind, people, what to do (the target's own
    /// text for the level, else the level's) and where to go, and its contacts.
    /// </summary>
    public static string Describe(string levelAction, WarningLevel level, FlashFloodSite site, bool zh)
    {
        var text = new StringBuilder(levelAction);
        foreach (var target in site.Targets)
        {
            var todo = level == WarningLevel.Immediate ? target.Immediate : target.Prepare;
            text.Append(zh ? " | 预警对象:" : " | Warn: ").Append(target.Name).Append(" (").Append(target.Kind);
            if (target.People > 0)
            {
                text.Append(zh ? $",{target.People} 人" : $", {target.People} people");
            }

            text.Append(')');
            if (todo.Length > 0)
            {
                text.Append(zh ? ":" : ": ").Append(todo);
            }

            if (target.Shelter.Length > 0)
            {
                text.Append(zh ? ";转移至 " : "; go to ").Append(target.Shelter);
            }

            if (target.Contacts.Count > 0)
            {
                text.Append(zh ? ";联系人 " : "; contact ").AppendJoin(", ", target.Contacts.Select(c =>
                    string.Join(' ', new[] { c.Role, c.Name, c.Phone }.Where(s => s.Length > 0))));
            }
        }

        return text.ToString();
    }

    /// <summary>The targets' phone numbers for <c>sms</c>, their e-mail addresses for <c>email</c>; nothing for other channels.</summary>
    public static IEnumerable<string> Recipients(FlashFloodSite site, string channel)
    {
        var contacts = site.Targets.SelectMany(t => t.Contacts);
        var list = channel switch
        {
            "sms" => contacts.Select(c => c.Phone),
            "email" => contacts.Select(c => c.Email),
            _ => [],
        };
        return list.Where(r => r.Length > 0).Distinct(StringComparer.Ordinal);
    }
}
