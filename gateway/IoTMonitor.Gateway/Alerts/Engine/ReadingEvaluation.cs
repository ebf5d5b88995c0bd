// Evaluation of a durable batch: which rules see which readings (scope, quantity, sampling order),
// and which lifecycle step each evaluation leads to. A reading older than the live window is late.

using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Runs a durable batch through the rules. One reason to change: which rule sees which reading. Not
/// thread-safe: used under the engine's lock, inside the group's transaction.
/// </summary>
internal sealed class ReadingEvaluation(AlertsOptions options, RuleSet rules, RuleStates states, NodeSchedules nodes, DuplicateTracker duplicates, GroupSites sites, AlertLifecycle lifecycle, FlashFloodTracking? flood, TimeProvider time)
{
    /// <summary>Evaluates the batch; true when a notice was queued.</summary>
    public bool Evaluate(string site, string device, long boot, Reading[] batch, double battery, long healthTime)
    {
        var now = time.GetUtcNow();
        var info = sites.Of(site);
        nodes.Seen(site, device, now.ToUnixTimeSeconds(), status: null); // a redelivery still shows the node is alive

        // a redelivered batch: its readings (and its health values) were evaluated when it first came
        var fresh = duplicates.NotYetEvaluated(site, device, boot, batch);
        var redelivered = fresh.Length == 0 && batch.Length > 0;

        // rules see a device's readings in sampling order; nodes send them in that order, so the copy is rare
        var readings = InTimeOrder(fresh) ? fresh : fresh.OrderBy(r => r.T).ToArray();
        var queued = false;
        foreach (var rule in rules.Current)
        {
            if (!rule.MatchesScope(site, device, info))
            {
                continue;
            }

            if (rule.Kind == RuleKind.Battery)
            {
                if (battery > 0 && !redelivered)
                {
                    queued |= Apply(rule, site, device, healthTime, battery, 0, now);
                }

                continue;
            }

            if (rule.Kind is RuleKind.Silence or RuleKind.FlashFlood)
            {
                continue;
            }

            foreach (ref readonly var r in readings.AsSpan())
            {
                if (rule.MatchesQuantity(r.Quantity.Code))
                {
                    queued |= Apply(rule, site, device, r.T, r.Value, r.Flags, now);
                }
            }
        }

        if (flood is not null)
        {
            queued |= flood.Evaluate(site, device, boot, readings, now);
        }

        return queued;
    }

    private static bool InTimeOrder(Reading[] readings)
    {
        for (var i = 1; i < readings.Length; i++)
        {
            if (readings[i].T < readings[i - 1].T)
            {
                return false;
            }
        }

        return true;
    }

    private bool Apply(AlertRule rule, string site, string device, long t, double? value, long flags, DateTimeOffset now)
    {
        var state = states.Track(rule.Id, site, device);
        var eval = RuleEvaluator.Evaluate(rule, state, t, value, flags);
        var late = now.ToUnixTimeSeconds() - t > options.LiveWindowSeconds;
        return eval.Transition switch
        {
            Transition.Raise => lifecycle.Raise(rule, site, device, state, eval, late, now),
            Transition.Hold => lifecycle.Hold(rule, site, device, state, eval, late, now),
            Transition.Clear => lifecycle.Clear(rule, site, device, eval, late, now),
            _ => false,
        };
    }
}
