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
/// virtual host of its own and leaving the cluster whole (<see cref="MakeWholeAsync"/>) for the next.
/// The cluster starts at the first <see cref="ClusterAsync"/>, not with the collection, so the collection's tests
/// that need no broker do not wait for it.
/// </summary>
public sealed class RabbitMqClusterFixture : IAsyncLifetime
{
    private static readonly TimeSpan RestoreTimeout = TimeSpan.FromSeconds(120);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RabbitMqCluster? _cluster;

    /// <summary>The cluster with every node running in it (started by the first caller). A failed start fails the test that asked, with its reason.</summary>
    public async Task<RabbitMqCluster> ClusterAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await RestoreOrDropAsync().ConfigureAwait(false);
            _cluster ??= await RabbitMqCluster.StartNewAsync(3).ConfigureAwait(false);
            return _cluster;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// After a test that killed a node: starts it again with its data and waits until it is back in the cluster and
    /// every quorum queue has its members online (<see cref="RabbitMqCluster.RestoreAsync"/>). A node that does not
    /// come back within 2 minutes costs the cluster: the next test gets a new one. On this loaded 2-core machine a
    /// RabbitMQ 3.10 node killed mid-burst once took minutes to boot and its MQTT plugin then failed to restart its
    /// client-id tracker (<c>mqtt_node</c>: <c>ra:restart_server</c> badrpc), and a second start failed the same way.
    /// Returns what happened, for the test's output; null when no node was down.
    /// </summary>
    public async Task<string?> MakeWholeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await RestoreOrDropAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string?> RestoreOrDropAsync()
    {
        if (_cluster is null || _cluster.Nodes.All(n => n.IsRunning))
        {
            return null;
        }

        var down = string.Join(", ", _cluster.Nodes.Where(n => !n.IsRunning).Select(n => n.NodeName));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await _cluster.RestoreAsync(RestoreTimeout).ConfigureAwait(false);
            return $"cluster whole again: {down} restarted with its data, back in the cluster and every quorum queue's members online after {clock.ElapsedMilliseconds} ms";
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
            _cluster = null;
            return $"{down} did not come back within {RestoreTimeout} ({e.Message.Split('\n')[0]}): the cluster is stopped, the next test gets a new one";
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
