namespace IoTMonitor.Gateway.State.Migrations;

/// <summary>
/// Schema steps 2–9: the registry, downlink, device ledger and forwarding outbox tables (the
/// PostgreSQL twins of the tables in the registry's, ledger's and outboxes' SQLite files). Times are
/// Unix seconds or milliseconds in <c>bigint</c> as in SQLite, so both stores read them the same way.
/// </summary>
public static class GatewayStoresSchema
{
    public static IReadOnlyList<(int Version, string Description, string Sql)> Steps { get; } =
    [
        (2, "registry: sites with profiles, devices", """
            CREATE TABLE sites (
              id text PRIMARY KEY,
              name text NOT NULL,
              created bigint NOT NULL,
              lat double precision,
              lon double precision,
              basin text,
              site_type text);
            CREATE TABLE devices (
              id text PRIMARY KEY,
              site_id text NOT NULL REFERENCES sites(id),
              salt bytea NOT NULL,
              hash bytea NOT NULL,
              iterations integer NOT NULL,
              created bigint NOT NULL,
              enabled boolean NOT NULL DEFAULT true);
            """),
        (3, "downlink: desired configs and their acks, commands", """
            CREATE TABLE downlink_config (
              device text PRIMARY KEY,
              rev bigint NOT NULL,
              config text NOT NULL,
              set_by text NOT NULL,
              set_at bigint NOT NULL,
              ack_rev bigint,
              ack_ok boolean,
              ack_err integer,
              ack_at bigint);
            CREATE TABLE downlink_commands (
              seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              device text NOT NULL,
              site text NOT NULL,
              cmd text NOT NULL,
              args text NOT NULL,
              requested_by text NOT NULL,
              requested_at bigint NOT NULL,
              expires_at bigint NOT NULL,
              state text NOT NULL,
              err integer,
              acked_at bigint);
            CREATE INDEX downlink_commands_device ON downlink_commands (device, seq);
            CREATE INDEX downlink_commands_queued ON downlink_commands (expires_at) WHERE state = 'queued';
            """),
        (4, "device ledgers merged across replicas", """
            CREATE TABLE device_ledger (
              site text NOT NULL,
              device text NOT NULL,
              last_seen bigint NOT NULL,
              boot bigint NOT NULL,
              highest bigint NOT NULL,
              duplicates bigint NOT NULL,
              readings bigint NOT NULL,
              battery double precision NOT NULL,
              rssi bigint NOT NULL,
              dropped bigint NOT NULL,
              gaps text NOT NULL,
              changed_xid bigint NOT NULL,
              PRIMARY KEY (site, device));
            CREATE INDEX device_ledger_changed ON device_ledger (changed_xid);
            """),
        (5, "forwarding outboxes and the platform lease", """
            CREATE TABLE forwarding_packet (
              id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              outbox text NOT NULL,
              key text NOT NULL,
              cn text NOT NULL,
              site text NOT NULL,
              data_time bigint NOT NULL,
              qn text NOT NULL,
              frame text NOT NULL,
              state smallint NOT NULL DEFAULT 0,
              attempts integer NOT NULL DEFAULT 0,
              created bigint NOT NULL,
              done bigint,
              UNIQUE (outbox, key));
            CREATE INDEX forwarding_packet_state ON forwarding_packet (outbox, state, id);
            CREATE TABLE forwarding_period (outbox text NOT NULL, site text NOT NULL, cn text NOT NULL, next_start bigint NOT NULL, PRIMARY KEY (outbox, site, cn));
            CREATE TABLE forwarding_dirty (outbox text NOT NULL, site text NOT NULL, cn text NOT NULL, start bigint NOT NULL, due bigint NOT NULL, PRIMARY KEY (outbox, site, cn, start));
            CREATE TABLE forwarding_counter (outbox text NOT NULL, name text NOT NULL, value integer NOT NULL, PRIMARY KEY (outbox, name));
            CREATE TABLE forwarding_lease (outbox text PRIMARY KEY, holder text NOT NULL, until timestamptz NOT NULL);
            """),
        (6, "forwarding: the last message time (HJ 212 QN) issued per outbox, continued by every replica", """
            CREATE TABLE forwarding_stamp (outbox text PRIMARY KEY, last_ms bigint NOT NULL);
            """),
    ];
}
