using IoTMonitor.Gateway.State.Migrations;

namespace IoTMonitor.Gateway.State;

/// <summary>
/// The PostgreSQL schema as numbered steps, applied in order at start by <see cref="PostgresState"/>.
/// A step, once released, never changes: a change to the schema is a new step at the end. Each part
/// of the gateway keeps its steps in its own range (1 API keys, 2–9 <see cref="GatewayStoresSchema"/>,
/// 10–19 the alert store, 20–29 <see cref="IngestLeasesSchema"/>); <see cref="Steps"/> is all of them in version order.
/// </summary>
public static class PostgresMigrations
{
    public static IReadOnlyList<(int Version, string Description, string Sql)> Steps { get; } =
        Core.Concat(GatewayStoresSchema.Steps).Concat(IngestLeasesSchema.Steps).OrderBy(s => s.Version).ToList();

    private static IReadOnlyList<(int Version, string Description, string Sql)> Core =>
    [
        (1, "API keys", """
            CREATE TABLE api_keys (
              id text PRIMARY KEY,
              name text NOT NULL,
              role integer NOT NULL,
              hash bytea NOT NULL,
              created bigint NOT NULL,
              revoked boolean NOT NULL DEFAULT false);
            """),
        .. AlertMigrations.Steps,
    ];

    public static int Latest => Steps[^1].Version;
}
