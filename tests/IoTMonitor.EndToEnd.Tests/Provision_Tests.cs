using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests;

/// <summary>
/// <c>iotmon provision</c> registers a device and writes its config; a virtual node booted from
/// exactly that file connects, is accepted and its readings are stored. The same node with a wrong
/// secret is refused at CONNECT and stores nothing (it keeps its readings in flash).
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class Provision_Tests(InfluxDbFixture influx) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-e2e-prov-").FullName;

    [Fact]
    public async Task A_provisioned_node_is_accepted_and_a_wrong_secret_is_refused()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        var configPath = Path.Combine(_dir, "wq-0001.json");
        var r = await Iotmon.RunAsync("provision", "--gateway", gw.Url, "--api-key", GatewayUnderTest.AdminKey,
            "--site", "wei-xianyang", "--device", "wq-0001", "--type", "water",
            "--mqtt-host", "127.0.0.1", "--mqtt-port", gw.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--sample-sec", "300", "--upload-sec", "300", "--out", configPath);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        Assert.Contains("nanoff --update --target ESP32_REV3 --fwversion " + IoTMonitor.Cli.FirmwareImage.Version, r.Out, StringComparison.Ordinal);
        Assert.Contains("nanoff --filedeployment", r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("--nanodevice --filedeployment", r.Out, StringComparison.Ordinal);
        Assert.Contains("--filedeployment", r.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.ChangeExtension(configPath, ".deploy.json")));

        var json = await File.ReadAllTextAsync(configPath);
        var sim = new SimulationClock(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds(), 60);

        // Accepted: the config file as written, unchanged.
        using (var node = new VirtualNode(new NodeSpec("wei-xianyang", "wq-0001", "water", json), sim))
        {
            node.Wake();
            Assert.Equal(0, node.ConfigError);
            Assert.Equal(LinkStatus.Ok, node.LastLinkError);
            Assert.True(node.Sampled > 0);
            Assert.Equal(node.Sampled, node.Uploaded);
        }

        var stored = await WaitForAsync(influx.Server, gw.Database, "wq-0001", 1);
        Assert.True(stored > 0, "nothing stored for the accepted node");

        // Refused: same file with another secret.
        var identity = DeviceConfigDocument.Identity(json);
        var wrong = json.Replace(identity.Secret, "not-the-secret-0123456789abcdef", StringComparison.Ordinal);
        Assert.NotEqual(json, wrong);
        var failuresBefore = gw.Service<Ledger>().Counters.AuthFailures;
        using (var impostor = new VirtualNode(new NodeSpec("wei-xianyang", "wq-0001", "water", wrong), sim))
        {
            impostor.Wake();
            Assert.Equal(LinkStatus.Refused, impostor.LastLinkError);
            Assert.Equal(0, impostor.Uploaded);
            Assert.True(impostor.Queued > 0, "the refused node should keep its readings in flash");
        }

        Assert.True(gw.Service<Ledger>().Counters.AuthFailures > failuresBefore);
        await Task.Delay(500);
        Assert.Equal(stored, (await Counts.PerDeviceAsync(influx.Server, gw.Database)).GetValueOrDefault("wq-0001"));
    }

    private static async Task<long> WaitForAsync(InfluxDbServer influx, string db, string device, long atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        long n = 0;
        while (DateTime.UtcNow < deadline)
        {
            n = (await Counts.PerDeviceAsync(influx, db)).GetValueOrDefault(device);
            if (n >= atLeast)
            {
                await Task.Delay(300);
                return (await Counts.PerDeviceAsync(influx, db)).GetValueOrDefault(device);
            }

            await Task.Delay(100);
        }

        return n;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
