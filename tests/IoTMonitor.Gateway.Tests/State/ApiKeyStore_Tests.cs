using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.State;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Tests.State;

/// <summary>
/// The same behaviour from both API key stores: the SQLite one in a temp file, the PostgreSQL one in a
/// fresh database of a real server (<see cref="PostgresFixture"/>).
/// </summary>
public sealed class ApiKeyStore_Tests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    public static TheoryData<string> Providers => new() { StateOptions.Sqlite, StateOptions.Postgres };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_created_key_authenticates_with_its_name_and_role_and_is_listed(string provider)
    {
        using var storage = await Storage.OpenAsync(provider, postgres.Server);
        var store = storage.Store();

        var (info, key) = store.Create("  river office  ", ApiRole.Operator);

        Assert.StartsWith(ApiKeyFormat.Prefix + info.Id + "_", key, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{12}$", info.Id);
        Assert.Equal("river office", info.Name);
        Assert.Equal(new ApiPrincipal(info.Id, "river office", ApiRole.Operator), store.Authenticate(key));
        var listed = Assert.Single(store.List());
        Assert.Equal(info with { Created = DateTimeOffset.FromUnixTimeSeconds(info.Created.ToUnixTimeSeconds()) }, listed);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_revoked_key_is_refused_at_once_even_after_it_was_used(string provider)
    {
        using var storage = await Storage.OpenAsync(provider, postgres.Server);
        var store = storage.Store();
        var (info, key) = store.Create("field laptop", ApiRole.Viewer);
        Assert.NotNull(store.Authenticate(key));

        Assert.True(store.Revoke(info.Id));

        Assert.Null(store.Authenticate(key));
        Assert.True(Assert.Single(store.List()).Revoked);
        Assert.False(store.Revoke("000000000000"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Wrong_malformed_and_unknown_keys_are_refused(string provider)
    {
        using var storage = await Storage.OpenAsync(provider, postgres.Server);
        var store = storage.Store();
        var (info, key) = store.Create("ops", ApiRole.Admin);
        Assert.NotNull(store.Authenticate(key)); // cached in the SQLite store: the wrong secret must still fail

        Assert.Null(store.Authenticate(key[..^1] + (key[^1] == 'A' ? 'B' : 'A')));
        Assert.Null(store.Authenticate(ApiKeyFormat.Prefix + "ffffffffffff_" + key[(ApiKeyFormat.Prefix.Length + 13)..]));
        Assert.Null(store.Authenticate(null));
        Assert.Null(store.Authenticate(string.Empty));
        Assert.Null(store.Authenticate("iotm_short"));
        Assert.Null(store.Authenticate("xxxx_" + key[5..]));
        Assert.Null(store.Authenticate(ApiKeyFormat.Prefix + info.Id + "-" + key[(ApiKeyFormat.Prefix.Length + 13)..]));
        Assert.Null(store.Authenticate(key + new string('x', 200)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_bootstrap_key_is_an_admin_and_no_bootstrap_key_accepts_nothing(string provider)
    {
        using var storage = await Storage.OpenAsync(provider, postgres.Server);

        Assert.Equal(new ApiPrincipal("bootstrap", "Api:AdminKey", ApiRole.Admin), storage.Store("first-admin-key").Authenticate("first-admin-key"));
        Assert.Null(storage.Store("first-admin-key").Authenticate("first-admin-kez"));
        Assert.Null(storage.Store(string.Empty).Authenticate("first-admin-key"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Bad_names_and_roles_are_refused_and_nothing_is_stored(string provider)
    {
        using var storage = await Storage.OpenAsync(provider, postgres.Server);
        var store = storage.Store();

        Assert.Contains("1–64", Assert.Throws<ArgumentException>(() => store.Create(" ", ApiRole.Viewer)).Message, StringComparison.Ordinal);
        Assert.Contains("1–64", Assert.Throws<ArgumentException>(() => store.Create(new string('n', 65), ApiRole.Viewer)).Message, StringComparison.Ordinal);
        Assert.Contains("viewer, operator or admin", Assert.Throws<ArgumentException>(() => store.Create("x", (ApiRole)42)).Message, StringComparison.Ordinal);
        Assert.Empty(store.List());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Keys_outlive_the_store_and_are_listed_in_creation_order(string provider)
    {
        using var storage = await Storage.OpenAsync(provider, postgres.Server);
        var created = new List<(ApiKeyInfo Info, string Key)>();
        var first = storage.Store();
        for (var i = 0; i < 5; i++)
        {
            created.Add(first.Create($"key {i}", (ApiRole)(1 + (i % 3))));
        }

        first.Revoke(created[2].Info.Id);
        (first as IDisposable)?.Dispose();

        var reopened = storage.Store();
        var listed = reopened.List();
        Assert.Equal(created.Select(c => c.Info.Id).Order(StringComparer.Ordinal), listed.Select(l => l.Id).Order(StringComparer.Ordinal));
        Assert.Equal(listed.OrderBy(l => l.Created).ThenBy(l => l.Id, StringComparer.Ordinal).Select(l => l.Id), listed.Select(l => l.Id));
        for (var i = 0; i < 5; i++)
        {
            var principal = reopened.Authenticate(created[i].Key);
            if (i == 2)
            {
                Assert.Null(principal);
            }
            else
            {
                Assert.Equal((ApiRole)(1 + (i % 3)), principal?.Role);
            }
        }
    }

    /// <summary>Two replicas on one database: what one creates or revokes, the other knows at once.</summary>
    [Fact]
    public async Task Two_postgres_stores_on_one_database_share_created_and_revoked_keys()
    {
        using var storage = await Storage.OpenAsync(StateOptions.Postgres, postgres.Server);
        var a = storage.Store();
        var b = storage.Store();

        var (fromA, keyA) = a.Create("made on a", ApiRole.Operator);
        var (fromB, keyB) = b.Create("made on b", ApiRole.Viewer);

        Assert.Equal("made on a", b.Authenticate(keyA)?.Name);
        Assert.Equal("made on b", a.Authenticate(keyB)?.Name);
        Assert.Equal(a.List(), b.List());

        Assert.NotNull(a.Authenticate(keyA));
        Assert.True(b.Revoke(fromA.Id));
        Assert.Null(a.Authenticate(keyA));
        Assert.NotNull(b.Authenticate(keyB));
        Assert.Equal(2, a.List().Count);
        Assert.NotEqual(fromA.Id, fromB.Id);
    }

    /// <summary>One storage of a provider (a temp SQLite file or a fresh PostgreSQL database); <see cref="Store"/> opens a store on it, as a gateway (replica) would.</summary>
    private sealed class Storage : IDisposable
    {
        private readonly List<IDisposable> _owned = [];
        private readonly string? _sqliteDir;
        private readonly string? _connectionString;

        private Storage(string? sqliteDir, string? connectionString)
        {
            _sqliteDir = sqliteDir;
            _connectionString = connectionString;
        }

        public static async Task<Storage> OpenAsync(string provider, PostgresServer server) =>
            provider == StateOptions.Postgres
                ? new Storage(null, await server.CreateDatabaseAsync("keys"))
                : new Storage(Directory.CreateTempSubdirectory("iotmon-keys-").FullName, null);

        public IApiKeyStore Store(string? bootstrapAdminKey = null)
        {
            if (_sqliteDir is not null)
            {
                var sqlite = new SqliteApiKeyStore(Path.Combine(_sqliteDir, "registry.db"), bootstrapAdminKey);
                _owned.Add(sqlite);
                return sqlite;
            }

            var state = new PostgresState(new StateOptions { Provider = StateOptions.Postgres, ConnectionString = _connectionString }, NullLogger<PostgresState>.Instance);
            _owned.Add(state);
            return new PostgresApiKeyStore(state, bootstrapAdminKey);
        }

        public void Dispose()
        {
            foreach (var owned in _owned)
            {
                owned.Dispose();
            }

            if (_sqliteDir is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(_sqliteDir, recursive: true);
            }
        }
    }
}
