using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Tests.State;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests.Registry;

/// <summary>
/// The registry (sites, devices, secrets) and site profiles on both stores, SQLite on a real file and
/// PostgreSQL on a real server, with the same tests; and two PostgreSQL replicas on one database.
/// </summary>
public sealed class RegistryStore_Tests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly RegistryOptions Options = new() { Pbkdf2Iterations = 1000 };

    public static TheoryData<string> Providers => StoreStorage.Providers;

    private static IRegistryStore Open(StoreStorage storage) =>
        storage.IsPostgres ? new PostgresRegistryStore(storage.Replica()) : storage.Own(new SqliteRegistryStore(storage.File("registry.db")));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_device_authenticates_with_its_secret_only_and_is_listed_under_its_site(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        var registry = new DeviceRegistry(Open(storage), Options);
        registry.AddSite("yr-02", "Yellow River 2");
        registry.AddSite("yr-01", null);
        var (device, secret) = registry.AddDevice("wq-b", "yr-01");
        registry.AddDevice("wq-a", "yr-02", "given-secret-0001");
        registry.AddDevice("wq-c", "yr-01", "given-secret-0002");

        Assert.Equal(device with { Created = Seconds(device.Created) }, registry.Authenticate("wq-b", secret));
        Assert.NotNull(registry.Authenticate("wq-b", secret)); // the remembered check
        Assert.Null(registry.Authenticate("wq-b", secret + "x"));
        Assert.Null(registry.Authenticate("wq-b", "given-secret-0001"));
        Assert.Equal("wq-a", registry.Authenticate("wq-a", "given-secret-0001")?.Id);
        Assert.Null(registry.Authenticate("wq-z", secret));
        Assert.Null(registry.Authenticate("WQ-B", secret));
        Assert.Null(registry.Authenticate("wq-b", null));
        Assert.Equal(["yr-01/wq-b", "yr-01/wq-c", "yr-02/wq-a"], registry.ListDevices().Select(d => $"{d.SiteId}/{d.Id}"));
        Assert.Equal("yr-02", registry.FindDevice("wq-a")?.SiteId);
        Assert.Null(registry.FindDevice("wq-z"));
        Assert.True(registry.SiteExists("yr-01"));
        Assert.False(registry.SiteExists("yr-03"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_second_device_with_one_id_an_unknown_site_and_bad_ids_are_refused(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        var registry = new DeviceRegistry(Open(storage), Options);
        registry.AddSite("yr-01", null);
        registry.AddDevice("wq-1", "yr-01", "first-secret-0001");

        Assert.Contains("already exists", Assert.Throws<InvalidOperationException>(() => registry.AddDevice("wq-1", "yr-01", "second-secret-01")).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => registry.AddDevice("wq-2", "yr-09")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => registry.AddDevice("Bad Id", "yr-01"));
        Assert.Throws<ArgumentException>(() => registry.AddSite("bad/site", null));
        Assert.NotNull(registry.Authenticate("wq-1", "first-secret-0001"));
        Assert.Null(registry.Authenticate("wq-1", "second-secret-01"));
        Assert.Single(registry.ListDevices());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Sites_and_profiles_are_kept_renamed_and_checked_and_survive_a_reopen(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        var first = Open(storage);
        var registry = new DeviceRegistry(first, Options);
        var profiles = new SiteProfiles(first);
        var created = registry.AddSite("yr-01", "Old name").Created;
        profiles.Set("yr-01", 34.75, 113.62, "Yellow River", SiteTypes.All[0]);
        registry.AddSite("yr-01", "New name");
        registry.AddSite("yr-00", null);
        registry.AddDevice("wq-1", "yr-01", "kept-secret-0001");

        Assert.Contains("both lat and lon", Assert.Throws<ArgumentException>(() => profiles.Set("yr-01", 34.0, null, null, null)).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => profiles.Set("yr-09", null, null, null, null)).Message, StringComparison.Ordinal);
        (first as IDisposable)?.Dispose();

        var reopened = Open(storage);
        var again = new SiteProfiles(reopened);
        Assert.Equal(new SiteProfile("yr-01", "New name", Seconds(created), 34.75, 113.62, "Yellow River", SiteTypes.All[0]), again.Find("yr-01"));
        Assert.Equal(new SiteProfile("yr-00", "yr-00", again.Find("yr-00")!.Created, null, null, null, null), again.List()[0]);
        Assert.Equal(["yr-00", "yr-01"], again.List().Select(s => s.Id));
        Assert.Null(again.Find("yr-09"));
        Assert.NotNull(new DeviceRegistry(reopened, Options).Authenticate("wq-1", "kept-secret-0001"));

        again.Set("yr-01", null, null, null, null);
        Assert.Equal(new SiteProfile("yr-01", "New name", Seconds(created), null, null, null, null), again.Find("yr-01"));
    }

    /// <summary>A device provisioned through one replica authenticates on the other, whose registry has never seen it.</summary>
    [Fact]
    public async Task A_device_provisioned_on_one_replica_authenticates_on_the_other()
    {
        using var storage = await StoreStorage.OpenAsync(StateOptions.Postgres, postgres.Server);
        var a = new DeviceRegistry(Open(storage), Options);
        var b = new DeviceRegistry(Open(storage), Options);
        Assert.Null(b.Authenticate("wq-1", "the-secret-00001"));

        a.AddSite("yr-01", null);
        a.AddDevice("wq-1", "yr-01", "the-secret-00001");

        Assert.Equal("yr-01", b.Authenticate("wq-1", "the-secret-00001")?.SiteId);
        Assert.Null(b.Authenticate("wq-1", "the-secret-00002"));
        Assert.Equal(a.ListDevices(), b.ListDevices());
    }

    /// <summary>
    /// Both replicas provision the same 30 device ids at once, each with its own secret: every id is
    /// added by exactly one replica, the other is told it exists, and the stored secret is the winner's.
    /// </summary>
    [Fact]
    public async Task Two_replicas_adding_one_device_at_once_store_it_once()
    {
        using var storage = await StoreStorage.OpenAsync(StateOptions.Postgres, postgres.Server);
        var replicas = new[] { new DeviceRegistry(Open(storage), Options), new DeviceRegistry(Open(storage), Options) };
        replicas[0].AddSite("yr-01", null);
        var winners = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var refused = 0;

        await Task.WhenAll(replicas.Select((registry, r) => Task.Run(() =>
        {
            for (var i = 0; i < 30; i++)
            {
                try
                {
                    registry.AddDevice($"wq-{i}", "yr-01", $"secret-of-replica-{r}");
                    Assert.True(winners.TryAdd($"wq-{i}", $"secret-of-replica-{r}"));
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })));

        Assert.Equal(30, winners.Count);
        Assert.Equal(30, refused);
        Assert.Equal(30, replicas[1].ListDevices().Count);
        foreach (var (id, secret) in winners)
        {
            Assert.NotNull(replicas[0].Authenticate(id, secret));
            Assert.NotNull(replicas[1].Authenticate(id, secret));
        }
    }

    private static DateTimeOffset Seconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}
