using IoTMonitor.Testing;

namespace IoTMonitor.Firmware.Emulator.Tests.Soak;

/// <summary>The real gateway in-process on loopback, writing to a real influxd, restartable on the same data dir.</summary>
public sealed class SoakGateway : InProcessGateway
{
    private string[] _settings = [];

    private SoakGateway()
        : base("soak-admin-key-0123456789", "iotmon-soak-gw-")
    {
    }

    public string Database { get; } = "soak" + Guid.NewGuid().ToString("N")[..10];

    public static async Task<SoakGateway> StartAsync(InfluxDbServer influx)
    {
        var gateway = new SoakGateway();
        gateway._settings =
        [
            $"--Storage:Url={influx.Url}",
            $"--Storage:Database={gateway.Database}",
            "--Storage:RetryInitialMs=50",
            "--Storage:RetryMaxMs=500",
        ];
        await gateway.StartGatewayAsync(gateway._settings);
        return gateway;
    }

    public async Task RestartAsync()
    {
        await StopGatewayAsync();
        await StartGatewayAsync(_settings);
    }
}
