using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Testing;

namespace IoTMonitor.Cli.Tests;

/// <summary>
/// One influxd, one in-process gateway, and two virtual nodes (water, air) that have reported, for
/// the tests that run iotmon against a gateway holding data.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private InfluxDbServer? _influx;

    public GatewayUnderTest Gateway { get; private set; } = null!;

    public InfluxDbServer Influx => _influx!;

    public string Dir { get; } = Directory.CreateTempSubdirectory("iotmon-cli-tests-").FullName;

    /// <summary>The reporting nodes' config files, by device id.</summary>
    public Dictionary<string, string> Configs { get; } = new();

    public string[] Key => ["--gateway", Gateway.Url, "--api-key", GatewayUnderTest.AdminKey];

    public async Task InitializeAsync()
    {
        _influx = await InfluxDbServer.StartNewAsync();
        Gateway = await GatewayUnderTest.StartAsync(_influx);
        var sim = new SimulationClock(DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds(), 60);
        foreach (var (site, device, type) in new[] { ("wei-xianyang", "wq-0001", "water"), ("fenwei-xian", "aq-0001", "air") })
        {
            var path = Path.Combine(Dir, device + ".json");
            var r = await Iotmon.RunAsync(["provision", .. Key, "--site", site, "--device", device, "--type", type, "--mqtt-host", "127.0.0.1",
                "--mqtt-port", Gateway.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--sample-sec", "300", "--upload-sec", "300", "--out", path]);
            if (r.ExitCode != 0)
            {
                throw new InvalidOperationException("provision failed: " + r.Err + r.Out);
            }

            // commissioning follows the site calibration of the probes (hardware/common/calibration.md)
            await File.WriteAllTextAsync(path, DeviceConfigDocument.WithSiteCalibration(await File.ReadAllTextAsync(path)));
            Configs[device] = path;
            using var node = new VirtualNode(new NodeSpec(site, device, type, await File.ReadAllTextAsync(path)), sim);
            node.Wake();
            if (node.Uploaded == 0)
            {
                throw new InvalidOperationException($"{device} uploaded nothing: {node.Link.LastError}");
            }
        }

        // Wait until InfluxDB holds the readings (export reads them from there).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && (await Counts.PerDeviceAsync(_influx, Gateway.Database)).Count < 2)
        {
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        _influx?.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
