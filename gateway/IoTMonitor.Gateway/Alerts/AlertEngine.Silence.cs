// Schedule-aware silence: a node's status goes to its schedule (NodeSchedules); the tick checks
// silence rules against the schedules, then re-notifies and escalates (docs/alerts.md,
// Schedule-aware silence).

using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Internal;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    /// <summary>Applies a node's status in its own transaction (tests; <see cref="OnStatus"/> queues it instead).</summary>
    internal void ApplyStatus(string site, string device, ReadOnlyMemory<byte> payload) => RunAlone(Work.ForStatus(site, device, payload));

    private void Status(string site, string device, ReadOnlyMemory<byte> payload)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (payload.IsEmpty)
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            _nodes.Seen(site, device, now, doc.RootElement);
        }
        catch (JsonException)
        {
            _log.LogDebug("Ignoring a status of {Site}/{Device} that is not JSON", site, device);
        }
    }

    /// <summary>Checks silence, re-notification and escalation against the gateway clock, in its own transaction.</summary>
    public void Tick() => RunAlone(Work.ForTick());

    private void CheckSchedules()
    {
        var now = _time.GetUtcNow();
        var nowS = now.ToUnixTimeSeconds();
        foreach (var rule in _rules)
        {
            if (rule.Kind != RuleKind.Silence)
            {
                continue;
            }

            foreach (var s in _nodes.All)
            {
                if (!rule.MatchesScope(s.Site, s.Device, SiteInGroup(s.Site)))
                {
                    continue;
                }

                var state = Track(rule.Id, s.Site, s.Device);
                var missed = SilenceEvaluator.Missed(s, nowS, rule.GraceSeconds, rule.WindowSeconds);
                if (!state.Active && missed >= rule.MissedReports)
                {
                    state.Active = true;
                    state.Since = s.LastSeen;
                    _groupQueued |= Raise(rule, s.Site, s.Device, state, new Evaluation(Transition.Raise, missed, Missing(s, missed)), false, now);
                }
                else if (state.Active && missed == 0)
                {
                    state.Active = false;
                    state.Since = null;
                    _groupQueued |= Clear(rule, s.Site, s.Device, new Evaluation(Transition.Clear, 0, "reporting again"), false, now);
                }
                else if (state.Active)
                {
                    _groupQueued |= Hold(rule, s.Site, s.Device, state, new Evaluation(Transition.Hold, missed, Missing(s, missed)), false, now);
                }
            }
        }

        _groupQueued |= RenotifyAndEscalate(now);

        static string Missing(NodeSchedule s, int missed) =>
            $"{missed} announced reports missed, last heard {DateTimeOffset.FromUnixTimeSeconds(s.LastSeen):yyyy-MM-dd HH:mm} UTC";
    }
}
