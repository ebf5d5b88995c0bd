using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Api.Tests.Metering;

/// <summary>
/// A whole gateway in-process on a real influxd with a metering configuration, which can be stopped
/// and started again on the same data dir and database (a gateway restart).
/// </summary>
public sealed class MeteringGateway : InProcessGateway
{
    public const string AdminKey = "metering-bootstrap-admin-key-0123456789";

    private string[] _settings;

    private MeteringGateway(InfluxDbServer influx, string database, string[] settings)
        : base(AdminKey, "iotmon-metering-test-")
    {
        Database = database;
        _settings = [$"--Storage:Url={influx.Url}", $"--Storage:Database={database}", .. settings];
        Http.Timeout = TimeSpan.FromSeconds(60);
    }

    public string Database { get; }

    public static async Task<MeteringGateway> StartAsync(InfluxDbServer influx, params string[] settings)
    {
        var database = "iotmon_" + Guid.NewGuid().ToString("N")[..10];
        await influx.CreateDatabaseAsync(database);
        var gateway = new MeteringGateway(influx, database, settings);
        try
        {
            await gateway.StartGatewayAsync(gateway._settings);
        }
        catch
        {
            // the refused start is what the caller wants to see, not a failure of tearing the half-built host down
            try
            {
                await gateway.DisposeAsync();
            }
            catch (InvalidOperationException)
            {
            }

            throw;
        }

        return gateway;
    }

    public async Task RestartAsync()
    {
        await StopGatewayAsync();
        await StartGatewayAsync(_settings);
    }

    /// <summary>Restarts on the same data dir and database with changed settings (a new configuration deployed).</summary>
    public async Task RestartWithAsync(params string[] settings)
    {
        _settings = [_settings[0], _settings[1], .. settings];
        await RestartAsync();
    }
}
