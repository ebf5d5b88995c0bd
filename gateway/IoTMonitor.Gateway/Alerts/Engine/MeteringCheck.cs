// Metering alerts (docs/alerts.md "Water metering"): over-allocation and no flow while a delivery is
// scheduled, decided on the metering watch's reports, one alert per rule and channel, through the
// same lifecycle and outbox as every other rule.

using System.Globalization;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Alerts.Metering;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Steps the <see cref="RuleKind.Allocation"/> and <see cref="RuleKind.NoFlow"/> rules on a
/// <see cref="MeteringReport"/>. One reason to change: when a channel's volume or flow counts as an
/// alert. Not thread-safe: used under the engine's lock, inside the group's transaction.
/// </summary>
internal sealed class MeteringCheck(RuleSet rules, RuleStates states, GroupSites sites, AlertLifecycle lifecycle, Ownership.EvaluatorOwnership ownership, TimeProvider time)
{
    /// <summary>Evaluates the report; true when a notice was queued.</summary>
    public bool Evaluate(MeteringReport report)
    {
        var now = time.GetUtcNow();
        var queued = false;
        foreach (var rule in rules.Current)
        {
            if (rule.Kind is not (RuleKind.Allocation or RuleKind.NoFlow))
            {
                continue;
            }

            foreach (var channel in report.Channels)
            {
                if (channel.Sites.Count == 0 || !channel.Sites.Any(s => rule.MatchesScope(s, channel.Subject, sites.Of(s))))
                {
                    continue;
                }

                // with replicas every one watches the volumes; the channel's first site's owner alone
                // decides (a write for a site it does not own would refuse its whole group)
                if (!ownership.Owns(channel.Sites[0]))
                {
                    continue;
                }

                var found = rule.Kind == RuleKind.Allocation ? Allocation(rule, channel) : NoFlow(rule, channel, report.At);
                if (found is not { } f)
                {
                    continue; // the flow cannot be told: the alert stays as it is
                }

                var site = channel.Sites[0];
                var state = states.Track(rule.Id, site, channel.Subject);
                state.LastT = Math.Max(state.LastT, report.At);
                if (f.On && !state.Active)
                {
                    state.Active = true;
                    state.Since = report.At;
                    queued |= lifecycle.Raise(rule, site, channel.Subject, state, new Evaluation(Transition.Raise, f.Value, f.Text), false, now);
                }
                else if (f.On)
                {
                    queued |= lifecycle.Hold(rule, site, channel.Subject, state, new Evaluation(Transition.Hold, f.Value, f.Text), false, now);
                }
                else if (state.Active)
                {
                    state.Active = false;
                    state.Since = null;
                    queued |= lifecycle.Clear(rule, site, channel.Subject, new Evaluation(Transition.Clear, f.Value, f.Text), false, now);
                }
            }
        }

        return queued;
    }

    /// <summary>The allocation in force whose share is used most; off when none is in force (its period ended).</summary>
    private static Finding? Allocation(AlertRule rule, ChannelMetering channel)
    {
        var worst = channel.Allocations.MaxBy(a => a.Used / a.Allocated);
        if (worst is null)
        {
            return new Finding(false, null, "no allocation in force");
        }

        var share = worst.Used / worst.Allocated;
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{worst.Used:0.#} m³ of {worst.Allocated:0.#} m³ allocated ({share * 100:0.#} %) in '{worst.Id}' {Day(worst.From)}–{Day(worst.To)}, completeness {worst.Completeness:0.###}");
        return new Finding(share > rule.Above!.Value, worst.Used, text);
    }

    /// <summary>
    /// On when a delivery in force, past the rule's grace after its start, has a mean flow below its least
    /// flow; off when no delivery is in force; unknown (null) in the grace or when no reading covers the window.
    /// </summary>
    private static Finding? NoFlow(AlertRule rule, ChannelMetering channel, long at)
    {
        var due = channel.Deliveries.Where(d => d.WindowSeconds == rule.WindowSeconds && at - d.From >= rule.MinDurationSeconds).ToList();
        if (channel.Deliveries.Count == 0)
        {
            return new Finding(false, null, "no delivery scheduled");
        }

        var known = due.Where(d => d.MeanFlow is not null).ToList();
        if (known.Count == 0)
        {
            return null;
        }

        // the first delivery short of water decides; otherwise the first that could be told
        var worst = known.FirstOrDefault(d => Short(d.MeanFlow!.Value, d.MinFlow ?? rule.Below!.Value)) ?? known[0];
        var least = worst.MinFlow ?? rule.Below!.Value;
        var q = worst.MeanFlow!.Value;
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"mean {q:0.####} m³/s over the last {rule.WindowSeconds / 60} min ({worst.CoveredSeconds} s covered), delivery scheduled {Time(worst.From)}–{Time(worst.To)} UTC, least {least:0.####} m³/s");
        return new Finding(Short(q, least), q, text);
    }

    /// <summary>Below the least flow, or none at all (a least flow of 0 means "any flow").</summary>
    private static bool Short(double q, double least) => q < least || q <= 0;

    private static string Day(long t) => DateTimeOffset.FromUnixTimeSeconds(t).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Time(long t) => DateTimeOffset.FromUnixTimeSeconds(t).UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    private readonly record struct Finding(bool On, double? Value, string Text);
}
