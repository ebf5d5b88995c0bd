using IoTMonitor.Gateway.State;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Tests.State;

/// <summary>
/// One storage of a state provider for store tests: a temp folder for the SQLite files, or a fresh
/// database on a real PostgreSQL server. <see cref="Replica"/> opens a new pool and migration run on
/// the database, as a gateway replica does; everything opened is disposed with the storage.
/// </summary>
public sealed class StoreStorage : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-store-").FullName;
    private readonly string? _connectionString;

    private StoreStorage(string provider, string? connectionString)
    {
        Provider = provider;
        _connectionString = connectionString;
    }

    public static TheoryData<string> Providers => new() { StateOptions.Sqlite, StateOptions.Postgres };

    public string Provider { get; }

    public bool IsPostgres => Provider == StateOptions.Postgres;

    public static async Task<StoreStorage> OpenAsync(string provider, PostgresServer server) =>
        new(provider, provider == StateOptions.Postgres ? await server.CreateDatabaseAsync("store") : null);

    /// <summary>The PostgreSQL database's connection string.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("not a PostgreSQL storage");

    /// <summary>A file in the storage's temp folder (SQLite stores; also a PostgreSQL replica's data dir).</summary>
    public string File(string name) => Path.Combine(_dir, name);

    /// <summary>A replica's connection to the PostgreSQL database (migrated on open).</summary>
    public PostgresState Replica() =>
        Own(new PostgresState(new StateOptions { Provider = StateOptions.Postgres, ConnectionString = _connectionString ?? throw new InvalidOperationException("not a PostgreSQL storage") }, NullLogger<PostgresState>.Instance));

    public T Own<T>(T owned)
        where T : IDisposable
    {
        _owned.Add(owned);
        return owned;
    }

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
