using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests.Support;

/// <summary>The gateway in-process (<see cref="InProcessGateway"/>, as its own tests do) on free loopback ports with a temporary data dir.</summary>
public sealed class GatewayUnderTest : InProcessGateway
{
    public const string AdminKey = "e2e-admin-key-0123456789";

    private GatewayUnderTest()
        : base(AdminKey, "iotmon-e2e-gw-")
    {
    }

    public string Url => $"http://127.0.0.1:{HttpPort}";

    public string Database { get; } = "e2e" + Guid.NewGuid().ToString("N")[..10];

    private string[] _settings = [];

    public static async Task<GatewayUnderTest> StartAsync(InfluxDbServer influx, params string[] extra)
    {
        var gateway = new GatewayUnderTest();
        gateway._settings =
        [
            $"--Storage:Url={influx.Url}",
            $"--Storage:Database={gateway.Database}",
            "--Storage:RetryInitialMs=50",
            "--Storage:RetryMaxMs=500",
            .. extra,
        ];
        await gateway.StartGatewayAsync(gateway._settings);
        return gateway;
    }

    /// <summary>Stops the gateway and starts it again on the same data dir, ports and settings (the embedded broker's in-memory state is gone).</summary>
    public async Task RestartAsync()
    {
        await StopGatewayAsync();
        await StartGatewayAsync(_settings);
    }
}
