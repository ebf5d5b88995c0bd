namespace IoTMonitor.Gateway.State.Migrations;

/// <summary>
/// Schema steps 20–29: which replica consumes which partition queue of the RabbitMQ cluster
/// (<see cref="State.Leases.PartitionLeases"/> over <c>ingest_leases</c>), and the replicas alive
/// per lease table (<c>lease_members</c>), so a replica that holds nothing yet still counts in the fair share.
/// </summary>
internal static class IngestLeasesSchema
{
    public static IReadOnlyList<(int Version, string Description, string Sql)> Steps { get; } =
    [
        (20, "ingest partition leases and lease members", """
            CREATE TABLE ingest_leases (
              partition integer PRIMARY KEY, holder text, token bigint NOT NULL DEFAULT 0, expires timestamptz NOT NULL);
            CREATE TABLE lease_members (
              scope text NOT NULL, replica text NOT NULL, expires timestamptz NOT NULL, PRIMARY KEY (scope, replica));
            """),
    ];
}
