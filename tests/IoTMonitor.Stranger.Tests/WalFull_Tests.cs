using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>
/// A full WAL (Buffering:MaxBytes reached while InfluxDB is down) must never cost an acknowledged
/// reading: MQTT 5 gets PUBACK 0x97, MQTT 3.1.1 gets no PUBACK and a closed connection; the node
/// sends again and, once InfluxDB is back and the WAL drains, everything is stored exactly once.
/// </summary>
public sealed class WalFull_Tests
{
    private static readonly string[] SmallWal = ["--Buffering:SegmentBytes=65536", "--Buffering:MaxBytes=131072"];

    [Theory]
    [InlineData("311")]
    [InlineData("5")]
    public async Task With_the_WAL_full_and_InfluxDB_restarted_a_resending_node_loses_nothing(string version)
    {
        using var influx = await InfluxDbServer.StartNewAsync();
        using var gw = new StrangerGateway(influx, SmallWal);
        await gw.StartAsync();
        var secret = await gw.EnrolAsync("site-w", "dev-w");
        influx.Stop(); // nothing drains: the WAL fills

        const int Messages = 400;
        var node = Cli.StartResender("--port", gw.MqttPort.ToString(), "--version", version, "--site", "site-w", "--device", "dev-w", "--password", secret,
            "--messages", Messages.ToString(), "--readings", "4", "--deadline-seconds", "90");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await gw.MetricAsync("iotmon_wal_full_total") < 20 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(await gw.MetricAsync("iotmon_wal_full_total") >= 20, "the WAL never filled:\n" + gw.Log);
        Assert.False(node.HasExited, "the node had every batch acknowledged while the WAL was full");

        // a single mosquitto_pub message while the WAL is full: not acknowledged (3.1.1) / refused (5)
        var cliVersion = version == "5" ? "5" : "mqttv311";
        // the resending node holds client id "dev-w"; this client takes the device's other valid id, so
        // neither connection takes the other's session over (which would end this one as "connection lost")
        var one = await Mosquitto.PubAsync(gw.MqttPort, cliVersion, "dev-w", secret, "site-w/dev-w", "iotmon/v1/site-w/dev-w/telemetry", Mosquitto.Batch(2, 1, Mosquitto.PastTime(0)));
        // mosquitto_pub 2.0 reports an MQTT 5 refusal as a warning and exits 0; below 5 there is no PUBACK and the connection closes
        Assert.True(version == "5" ? one.Stderr.Contains("Quota exceeded", StringComparison.Ordinal) : one.ExitCode != 0, $"mosquitto_pub -V {cliVersion} was acknowledged for a message the full WAL refused: {one.All}");

        // at QoS 2 the PUBREC is refused the same way (0x97 in MQTT 5; withheld and the connection closed below 5)
        var two = await Mosquitto.PubAsync(gw.MqttPort, cliVersion, "dev-w", secret, "site-w/dev-w", "iotmon/v1/site-w/dev-w/telemetry", Mosquitto.Batch(2, 5, Mosquitto.PastTime(1)), "-q", "2");
        Assert.True(version == "5" ? two.Stderr.Contains("Quota exceeded", StringComparison.Ordinal) : two.ExitCode != 0, $"mosquitto_pub -q 2 -V {cliVersion} got a PUBREC for a message the full WAL refused: {two.All}");

        await influx.StartAsync();
        var result = await node.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, $"{result.All}\n{gw.Log}");
        Assert.Equal(Messages * 4L, await gw.WaitStoredAsync("dev-w", Messages * 4L, TimeSpan.FromSeconds(60)));
    }
}
