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
