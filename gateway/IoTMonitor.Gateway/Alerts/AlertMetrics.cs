using IoTMonitor.Gateway.Alerts.Store.Postgres;
using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>The alert engine keeping up (group commit, docs/alerts.md), and what a crash or a stop would lose or did lose.</summary>
public sealed class AlertMetrics(AlertsService alerts) : IStageMetrics
{
    public void WriteTo(PrometheusText text)
    {
        if (alerts.Engine is not { } engine)
        {
            return; // alerting is off (Alerts:Enabled false) or not started
        }

        text.Counter("iotmon_alert_batches_evaluated_total", "Durable telemetry batches evaluated against the alert rules", engine.BatchesEvaluated);
        text.Counter("iotmon_alert_groups_total", "Groups of evaluations committed together", engine.GroupsCommitted);
        text.Counter("iotmon_alert_evaluation_failures_total", "Evaluations that threw and were dropped (logged)", engine.EvaluationFailures);
        text.Counter("iotmon_alert_commits_total", "SQLite commits of the alert store", engine.Store.Commits);
        text.Counter("iotmon_alert_state_writes_total", "Rule states written (only changed ones)", engine.Store.StateWrites);
        text.Counter("iotmon_alert_duplicate_readings_skipped_total", "Redelivered readings whose (device, boot, n) the alert engine had already evaluated (not evaluated again)", engine.DuplicateReadingsSkipped);
        text.Counter("iotmon_alert_rain_decreases_total", "rain.total readings lower than the previous one of the same boot: increment taken as 0 (reason rain_decrease, protocol §8 Rainfall)", engine.RainDecreases);

        text.Gauge("iotmon_alert_queue_length", "Items queued for the alert engine and not yet evaluated (lost to alerting by a crash)", engine.QueueLength);
        text.Gauge("iotmon_alert_held_for_store", "Items whose evaluation waits for the alert store (shared PostgreSQL away); evaluated in order when it is back", engine.HeldForStore);
        text.Gauge("iotmon_alert_store_unreachable", "1 while the alert store (shared PostgreSQL) is unreachable and evaluation waits", engine.StoreUnreachable ? 1 : 0);
        text.Counter("iotmon_alert_store_outages_total", "Times the alert store became unreachable under the engine", engine.StoreOutages);
        text.Counter("iotmon_alert_batches_cut_at_stop_total", "Queued batches a graceful stop's drain deadline left unevaluated, over every run of this alert store", engine.BatchesCutAtStop);
        if (engine.Store is PostgresAlertStore shared)
        {
            text.Gauge("iotmon_alert_partitions_held", "Alert partitions (of 16) whose lease this replica holds: it evaluates their sites", shared.Leases.HeldTokens.Count);
            text.Counter("iotmon_alert_partitions_handed_over_total", "Alert partitions above this replica's fair share handed to another replica (Alerts:Lease:Balance)", shared.PartitionsHandedOver);
            text.Counter("iotmon_alert_handed_off_total", "Batches and statuses of sites another replica evaluates, handed to it through alert_handoff", shared.HandedOff);
        }

        text.Counter("iotmon_alert_unclean_stops_total", "Starts of this alert store after a run that did not stop cleanly (crash, kill, power loss)", engine.UncleanStops);
    }
}
