// Evaluation of a durable batch: which rules see which readings (scope, quantity, sampling order),
// and which lifecycle step each evaluation leads to. A reading older than the live window is late.

using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    /// <summary>Evaluates one durable batch in its own transaction (public for tests; the hook queues it instead).</summary>
    public void EvaluateBatch(string site, string device, (long T, string Quantity, double? Value, long Flags)[] readings, double battery, long healthTime)
    {
        var batch = new Reading[readings.Length];
        for (var i = 0; i < readings.Length; i++)
        {
            var (t, code, value, flags) = readings[i];
            var quantity = Quantities.Find(code) ?? throw new ArgumentException($"'{code}' is not a protocol quantity", nameof(readings));
            batch[i] = new Reading { T = t, Quantity = quantity, Value = value, Flags = flags, Index = i };
        }

        RunAlone(Work.ForBatch(site, device, -1, batch, battery, healthTime));
    }

    private void Evaluate(string site, string device, long boot, Reading[] batch, double battery, long healthTime)
    {
        var now = _time.GetUtcNow();
        var info = SiteInGroup(site);
        _nodes.Seen(site, device, now.ToUnixTimeSeconds(), status: null); // a redelivery still shows the node is alive

        // a redelivered batch: its readings (and its health values) were evaluated when it first came
        var fresh = _duplicates.NotYetEvaluated(device, boot, batch);
        var redelivered = fresh.Length == 0 && batch.Length > 0;

        // rules see a device's readings in sampling order; nodes send them in that order, so the copy is rare
        var readings = InTimeOrder(fresh) ? fresh : fresh.OrderBy(r => r.T).ToArray();
        foreach (var rule in _rules)
        {
            if (!rule.MatchesScope(site, device, info))
            {
                continue;
            }

            if (rule.Kind == RuleKind.Battery)
            {
                if (battery > 0 && !redelivered)
                {
                    _groupQueued |= Apply(rule, site, device, healthTime, battery, 0, now);
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
                    _groupQueued |= Apply(rule, site, device, r.T, r.Value, r.Flags, now);
                }
            }
        }

        _groupQueued |= EvaluateFlashFlood(site, device, boot, readings, now);
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
        var state = Track(rule.Id, site, device);
        var eval = RuleEvaluator.Evaluate(rule, state, t, value, flags);
        var late = now.ToUnixTimeSeconds() - t > _options.LiveWindowSeconds;
        return eval.Transition switch
        {
            Transition.Raise => Raise(rule, site, device, state, eval, late, now),
            Transition.Hold => Hold(rule, site, device, state, eval, late, now),
            Transition.Clear => Clear(rule, site, device, eval, late, now),
            _ => false,
        };
    }
}
