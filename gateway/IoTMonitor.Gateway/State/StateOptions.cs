using Npgsql;

namespace IoTMonitor.Gateway.State;

/// <summary>
/// Where state shared by gateway replicas lives (appsettings section <c>State</c>): <c>sqlite</c>
/// (default: the registry's file, one gateway) or <c>postgres</c> (one database for all replicas).
/// </summary>
public sealed class StateOptions
{
    public const string Section = "State";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public string Provider { get; set; } = Sqlite;

    /// <summary>Npgsql connection string; required with <c>postgres</c>, refused with <c>sqlite</c>.</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);

    internal IEnumerable<string> Validate()
    {
        if (!string.Equals(Provider, Sqlite, StringComparison.OrdinalIgnoreCase) && !IsPostgres)
        {
            yield return $"State:Provider must be '{Sqlite}' or '{Postgres}' (got '{Provider}')";
            yield break;
        }

        if (!IsPostgres)
        {
            if (!string.IsNullOrWhiteSpace(ConnectionString))
            {
                yield return "State:ConnectionString is set but State:Provider is 'sqlite'; set State:Provider to 'postgres' or remove the connection string";
            }

            yield break;
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return "State:ConnectionString must be set when State:Provider is 'postgres' (e.g. Host=127.0.0.1;Port=5432;Database=iotmonitor;Username=iotmonitor;Password=...)";
            yield break;
        }

        string? error = null;
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(ConnectionString);
            if (string.IsNullOrWhiteSpace(parsed.Host))
            {
                error = "State:ConnectionString must name the server (Host=...)";
            }
            else if (string.IsNullOrWhiteSpace(parsed.Database))
            {
                error = "State:ConnectionString must name the database (Database=...)";
            }
        }
        catch (ArgumentException e)
        {
            error = $"State:ConnectionString is not a valid PostgreSQL connection string: {e.Message}";
        }

        if (error is not null)
        {
            yield return error;
        }
    }
}
