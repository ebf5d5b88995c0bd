// Schedule-aware silence: a node's status goes to its schedule (NodeSchedules); the tick checks
// silence rules against the schedules, then re-notifies and escalates (docs/alerts.md,
// Schedule-aware silence).

using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Internal;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// The timers: missed reports against each node's announced schedule, re-notification and
/// escalation. One reason to change: when silence counts as an alert. Not thread-safe: used under
/// the engine's lock, inside the group's transaction.
/// </summary>
internal sealed class SilenceCheck(RuleSet rules, RuleStates states, NodeSchedules nodes, GroupSites sites, AlertLifecycle lifecycle, Ownership.EvaluatorOwnership ownership, TimeProvider time, ILogger log)
{
    /// <summary>A node's retained status (docs/protocol.md §5) goes to its schedule.</summary>
    public void Status(string site, string device, ReadOnlyMemory<byte> payload)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (payload.IsEmpty)
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            nodes.Seen(site, device, now, doc.RootElement);
        }
        catch (JsonException)
        {
            log.LogDebug("Ignoring a status of {Site}/{Device} that is not JSON", site, device);
        }
    }

    /// <summary>Checks silence rules against the schedules, then re-notifies and escalates; true when a notice was queued.</summary>
    public bool Check()
    {
        var now = time.GetUtcNow();
        var nowS = now.ToUnixTimeSeconds();
        var queued = false;
        foreach (var rule in rules.Current)
        {
            if (rule.Kind != RuleKind.Silence)
            {
                continue;
            }

            foreach (var s in nodes.All)
            {
                if (!ownership.Owns(s.Site) || !rule.MatchesScope(s.Site, s.Device, sites.Of(s.Site)))
                {
                    continue;
                }

                var state = states.Track(rule.Id, s.Site, s.Device);
                var missed = SilenceEvaluator.Missed(s, nowS, rule.GraceSeconds, rule.WindowSeconds);
                if (!state.Active && missed >= rule.MissedReports)
                {
                    state.Active = true;
                    state.Since = s.LastSeen;
                    queued |= lifecycle.Raise(rule, s.Site, s.Device, state, new Evaluation(Transition.Raise, missed, Missing(s, missed)), false, now);
                }
                else if (state.Active && missed == 0)
                {
                    state.Active = false;
                    state.Since = null;
                    queued |= lifecycle.Clear(rule, s.Site, s.Device, new Evaluation(Transition.Clear, 0, "reporting again"), false, now);
                }
                else if (state.Active)
                {
                    queued |= lifecycle.Hold(rule, s.Site, s.Device, state, new Evaluation(Transition.Hold, missed, Missing(s, missed)), false, now);
                }
            }
        }

        queued |= lifecycle.RenotifyAndEscalate(now);
        return queued;

        static string Missing(NodeSchedule s, int missed) =>
            $"{missed} announced reports missed, last heard {DateTimeOffset.FromUnixTimeSeconds(s.LastSeen):yyyy-MM-dd HH:mm} UTC";
    }
}
