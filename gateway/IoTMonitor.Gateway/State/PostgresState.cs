using Microsoft.Extensions.Logging;
using Npgsql;

namespace IoTMonitor.Gateway.State;

/// <summary>
/// The shared PostgreSQL database: one pooled <see cref="NpgsqlDataSource"/>, and the schema brought
/// to <see cref="PostgresMigrations.Latest"/> when created. Each step runs in its own transaction with
/// its row in <c>schema_version</c>, under a transaction-level advisory lock, so replicas starting
/// together apply each step once and a step that fails leaves nothing behind. A database whose
/// schema is newer than this gateway knows stops the start: an older gateway must not write into a
/// schema it does not understand.
/// </summary>
public sealed class PostgresState : IDisposable
{
    /// <summary>Key of the advisory lock serialising migrations (any constant shared by all replicas).</summary>
    private const long MigrationLock = 0x494f544d_00000001; // "IOTM", 1

    public PostgresState(StateOptions options, ILogger<PostgresState> log)
        : this(options.ConnectionString!, PostgresMigrations.Steps, log)
    {
    }

    internal PostgresState(string connectionString, IReadOnlyList<(int Version, string Description, string Sql)> steps, ILogger log)
    {
        DataSource = NpgsqlDataSource.Create(connectionString);
        if (!new NpgsqlConnectionStringBuilder(connectionString).Pooling)
        {
            // measured (bench/cluster/replicas.sh, docs/operations.md run D): unpooled, each statement outside a transaction
            // forks a PostgreSQL backend, and the alert engine's site lookups alone held a replica to about 45 batches/s
            log.LogWarning("State:ConnectionString sets Pooling=false: every statement outside a transaction opens a new PostgreSQL connection, which slowed alert evaluation from about 3,000 to 45 batches/s in the replica bench; remove it (Npgsql pools connections by default)");
        }

        try
        {
            SchemaVersion = Migrate(steps, log);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            // the server was not reached or the connection broke: say which one, without the password
            var target = new NpgsqlConnectionStringBuilder(connectionString);
            DataSource.Dispose();
            throw new InvalidOperationException(
                $"State:ConnectionString: cannot reach PostgreSQL at {target.Host}:{target.Port}, database '{target.Database}': {e.Message}", e);
        }
        catch
        {
            DataSource.Dispose();
            throw;
        }
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The schema version after start.</summary>
    public int SchemaVersion { get; }

    private int Migrate(IReadOnlyList<(int Version, string Description, string Sql)> steps, ILogger log)
    {
        var known = steps.Count == 0 ? 0 : steps[^1].Version;
        var current = 0;
        using var connection = DataSource.OpenConnection();
        foreach (var (version, description, sql) in steps.Prepend((0, "schema_version", string.Empty)))
        {
            using var tx = connection.BeginTransaction();
            Execute(connection, tx, $"SELECT pg_advisory_xact_lock({MigrationLock})");
            Execute(connection, tx, "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, description text NOT NULL, applied timestamptz NOT NULL DEFAULT now())");
            using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection, tx))
            {
                current = (int)read.ExecuteScalar()!;
            }

            if (current > known)
            {
                throw new InvalidOperationException(
                    $"Invalid gateway configuration: the PostgreSQL database of State:ConnectionString has schema version {current}, " +
                    $"newer than this gateway knows ({known}); run the gateway version that created it, or a newer one");
            }

            if (version == 0 || version <= current)
            {
                tx.Commit();
                continue;
            }

            Execute(connection, tx, sql);
            using (var record = new NpgsqlCommand("INSERT INTO schema_version (version, description) VALUES ($1, $2)", connection, tx))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = version });
                record.Parameters.Add(new NpgsqlParameter { Value = description });
                record.ExecuteNonQuery();
            }

            tx.Commit();
            current = version;
            log.LogInformation("PostgreSQL schema: applied step {Version} ({Description})", version, description);
        }

        return current;
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection, tx);
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => DataSource.Dispose();
}
