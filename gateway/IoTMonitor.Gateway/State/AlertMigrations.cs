namespace IoTMonitor.Gateway.State;

/// <summary>
/// The alert store's steps of the PostgreSQL schema (versions 10–19, used by
/// <c>Alerts/Store/Postgres/</c>; <see cref="PostgresMigrations"/> applies them in order with the
/// other stores' steps). Times are Unix milliseconds as in the SQLite
/// file, so both stores read and write the same values. A released step never changes.
/// </summary>
public static class AlertMigrations
{
    public static IReadOnlyList<(int Version, string Description, string Sql)> Steps { get; } =
    [
        (10, "alert store: rules, evaluation state, alerts, events, outbox, rain ledger, counters", """
            CREATE TABLE alert_rules (
              id text PRIMARY KEY, json text NOT NULL, origin text NOT NULL, updated bigint NOT NULL, deleted boolean NOT NULL DEFAULT false);
            CREATE TABLE alert_rule_state (
              rule_id text NOT NULL, device text NOT NULL, site text NOT NULL, json text NOT NULL, sample_window bytea,
              PRIMARY KEY (rule_id, device));
            CREATE TABLE alert_schedules (device text PRIMARY KEY, site text NOT NULL, json text NOT NULL);
            CREATE TABLE alert_evaluated_sequences (device text PRIMARY KEY, site text NOT NULL, json text NOT NULL);
            CREATE TABLE alerts (
              id text PRIMARY KEY, rule_id text NOT NULL, subject text NOT NULL, site text NOT NULL, device text NOT NULL,
              partition integer NOT NULL, state text NOT NULL, detected bigint NOT NULL, json text NOT NULL);
            CREATE UNIQUE INDEX alerts_one_active ON alerts (rule_id, subject) WHERE state <> 'resolved';
            CREATE INDEX alerts_detected ON alerts (detected);
            CREATE INDEX alerts_rule_subject ON alerts (rule_id, subject, detected);
            CREATE TABLE alert_events (
              seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, alert_id text NOT NULL, type text NOT NULL, at bigint NOT NULL, detail text NOT NULL);
            CREATE INDEX alert_events_alert ON alert_events (alert_id, at, seq);
            CREATE TABLE alert_outbox (
              id bigserial PRIMARY KEY, key text NOT NULL UNIQUE, alert_id text NOT NULL, event_id text NOT NULL,
              event_type text NOT NULL, channel text NOT NULL, recipient text NOT NULL, payload text NOT NULL,
              status text NOT NULL, attempts integer NOT NULL DEFAULT 0, due bigint NOT NULL, created bigint NOT NULL,
              sent_at bigint, receipt text, last_error text);
            CREATE INDEX alert_outbox_due ON alert_outbox (status, due);
            CREATE INDEX alert_outbox_alert ON alert_outbox (alert_id, event_type);
            CREATE TABLE alert_delivery_attempts (
              id bigserial PRIMARY KEY, outbox_id bigint NOT NULL, at bigint NOT NULL, ok boolean NOT NULL, detail text NOT NULL);
            CREATE INDEX alert_delivery_attempts_outbox ON alert_delivery_attempts (outbox_id, id);
            CREATE TABLE alert_rain_readings (
              device text NOT NULL, boot bigint NOT NULL, n bigint NOT NULL, site text NOT NULL, t bigint NOT NULL, total double precision NOT NULL,
              PRIMARY KEY (device, boot, n));
            CREATE INDEX alert_rain_readings_t ON alert_rain_readings (t);
            CREATE TABLE alert_counters (replica text NOT NULL, name text NOT NULL, value bigint NOT NULL, PRIMARY KEY (replica, name));
            """),
        (11, "alert evaluator ownership: partition leases and the hand-off of readings to the owner", """
            CREATE TABLE alert_leases (
              partition integer PRIMARY KEY, holder text, token bigint NOT NULL DEFAULT 0, expires timestamptz NOT NULL);
            CREATE TABLE alert_handoff (
              id bigserial PRIMARY KEY, partition integer NOT NULL, kind smallint NOT NULL, site text NOT NULL, device text NOT NULL,
              boot bigint NOT NULL, body text NOT NULL, from_replica text NOT NULL, queued timestamptz NOT NULL DEFAULT now());
            CREATE INDEX alert_handoff_partition ON alert_handoff (partition, id);
            """),
        (12, "replica fencing: outbox rows claimed by one dispatcher per send, alert rows versioned", """
            ALTER TABLE alert_outbox
              ADD COLUMN claim bigint NOT NULL DEFAULT 0,
              ADD COLUMN claimed_by text,
              ADD COLUMN claimed_until bigint NOT NULL DEFAULT 0;
            ALTER TABLE alerts ADD COLUMN version bigint NOT NULL DEFAULT 1;
            """),
    ];
}
