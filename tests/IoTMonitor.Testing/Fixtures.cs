using Xunit;

namespace IoTMonitor.Testing;

/// <summary>xunit class/collection fixture: one real influxd for the tests that share it.</summary>
public sealed class InfluxDbFixture : IAsyncLifetime
{
    private InfluxDbServer? _server;

    public InfluxDbServer Server => _server ?? throw new InvalidOperationException("influxd fixture not started");

    public async Task InitializeAsync() => _server = await InfluxDbServer.StartNewAsync();

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>xunit class/collection fixture: one real mosquitto for the tests that share it.</summary>
public sealed class MosquittoFixture : IAsyncLifetime
{
    private MosquittoServer? _server;

    public MosquittoServer Server => _server ?? throw new InvalidOperationException("mosquitto fixture not started");

    public async Task InitializeAsync() => _server = await MosquittoServer.StartNewAsync();

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>xunit class/collection fixture: one real PostgreSQL cluster for the tests that share it (a database each).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("postgres fixture not started");

    public async Task InitializeAsync() => _server = await PostgresServer.StartNewAsync();

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// xunit class/collection fixture: one real 3-node RabbitMQ cluster for the tests that share it, each test on a
/// virtual host of its own and leaving the cluster whole (<see cref="RabbitMqCluster.RestoreAsync"/>) for the next.
/// The cluster starts at the first <see cref="ClusterAsync"/>, not with the collection, so the collection's tests
/// that need no broker do not wait for it.
/// </summary>
public sealed class RabbitMqClusterFixture : IAsyncLifetime
{
    private readonly Lazy<Task<RabbitMqCluster>> _cluster = new(() => RabbitMqCluster.StartNewAsync(3));

    /// <summary>The cluster, started by the first caller; a failed start fails every test that asks, with its reason.</summary>
    public Task<RabbitMqCluster> ClusterAsync() => _cluster.Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster.IsValueCreated && _cluster.Value.IsCompletedSuccessfully)
        {
            await (await _cluster.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
    }
}
