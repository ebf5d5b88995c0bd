using IoTMonitor.Gateway.Api.Tests.Api;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Api.Tests.Support;

/// <summary>
/// One influxd for the whole test project, and one gateway holding <see cref="KnownData"/> shared by
/// the read-only contract tests. Tests that need their own gateway start one on the same influxd
/// (each gateway gets its own database).
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private readonly InfluxDbFixture _influx = new();

    public InfluxDbServer Influx => _influx.Server;

    public GatewayHost Known { get; private set; } = null!;

    public string Viewer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _influx.InitializeAsync();
        Known = await GatewayHost.StartAsync(Influx, "--Query:ExportSpanDays=1", "--Query:CacheWarmDays=0");
        await Influx.WriteAsync(Known.Database, KnownData.LineProtocol());
        await Known.AddSiteAsync("s1", 38.05, 100.45, "Heihe", "river", "d1", "d2");
        await Known.AddSiteAsync("s2", 36.6, 101.8, "Yellow River", "reservoir", "s2-node");
        await Known.AddSiteAsync("s3", 40.1, 94.7, "Shule", "irrigation_district", "s3-node");
        await Known.AddSiteAsync("c1", 41.2, 80.3, "Tarim", "canal", "cd");
        Viewer = await Known.CreateKeyAsync("agency", "viewer");
    }

    public async Task DisposeAsync()
    {
        if (Known is not null)
        {
            await Known.DisposeAsync();
        }

        await _influx.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class InfluxCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "influxd";
}
