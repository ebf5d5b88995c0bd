using IoTMonitor.Gateway.Alerts.Store;
using IoTMonitor.Gateway.Alerts.Store.Postgres;
using IoTMonitor.Gateway.State;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Store;

/// <summary>
/// One storage of a provider: a temp SQLite file, or a fresh database on the real PostgreSQL server
/// (<see cref="PostgresFixture"/>). <see cref="Open"/> opens a store on it as a gateway (replica)
/// does; a PostgreSQL store has renewed its leases once, so it evaluates every site while alone.
/// </summary>
internal sealed class StoreProviders : IDisposable
{
    public const string Sqlite = StateOptions.Sqlite;
    public const string Postgres = StateOptions.Postgres;

    private readonly List<IDisposable> _owned = [];
    private readonly string? _dir;

    private StoreProviders(string provider, string? dir, string? connectionString)
    {
        Provider = provider;
        _dir = dir;
        ConnectionString = connectionString;
    }

    public string Provider { get; }

    public string? ConnectionString { get; }

    public static TheoryData<string> Both => new() { Sqlite, Postgres };

    public static async Task<StoreProviders> CreateAsync(string provider, PostgresServer server) =>
        provider == Postgres
            ? new StoreProviders(provider, null, await server.CreateDatabaseAsync("alerts"))
            : new StoreProviders(provider, Directory.CreateTempSubdirectory("iotmon-alertstore-").FullName, null);

    public AlertStore Open(string replica = "replica-a", double leaseSeconds = 10, bool balance = true)
    {
        if (_dir is not null)
        {
            var sqlite = new SqliteAlertStore(Path.Combine(_dir, "alerts.db"));
            _owned.Add(sqlite);
            return sqlite;
        }

        var state = OpenState();
        var store = new PostgresAlertStore(state, replica, TimeSpan.FromSeconds(leaseSeconds), balance);
        _owned.Add(store);
        store.Leases.Renew();
        return store;
    }

    public PostgresState OpenState()
    {
        var state = new PostgresState(new StateOptions { Provider = StateOptions.Postgres, ConnectionString = ConnectionString }, NullLogger<PostgresState>.Instance);
        _owned.Add(state);
        return state;
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        if (_dir is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
