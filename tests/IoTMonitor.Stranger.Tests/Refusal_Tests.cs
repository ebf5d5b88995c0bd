using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>
/// Every refusal path as mosquitto_pub/mosquitto_sub see it in MQTT 3.1.1 and 5 (docs/protocol.md
/// "What a node sees on each refusal"): refused logins get a CONNACK error, refused publishes are
/// dead-lettered with their reason and counted, nothing of them is stored, and the device's next good
/// batch is stored.
/// </summary>
[Collection("stranger")]
public sealed class Refusal_Tests(InfluxDbFixture influx)
{
    [Theory]
    [InlineData("mqttv311")]
    [InlineData("5")]
    public async Task Every_refusal_is_visible_counted_and_harmless(string version)
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        const string site = "site-r";
        var secret = await gw.EnrolAsync(site, "dev-r");
        await gw.EnrolAsync(site, "dev-o");
        var own = $"iotmon/v1/{site}/dev-r/telemetry";
        var t = 0;

        // bad credentials: CONNACK refusal, the client exits with an error
        var badPassword = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-r", "wrong", "dev-r", own, Mosquitto.Batch(1, 1, Mosquitto.PastTime(t++)));
        Assert.True(badPassword.ExitCode != 0, badPassword.All);
        Assert.Contains(version == "5" ? "Bad user name or password" : "bad user name or password", badPassword.Stderr, StringComparison.OrdinalIgnoreCase);
        var unknown = await Mosquitto.PubAsync(gw.MqttPort, version, "nobody", "x", "nobody", own, Mosquitto.Batch(1, 1, Mosquitto.PastTime(t++)));
        Assert.True(unknown.ExitCode != 0, unknown.All);
        Assert.True(await gw.MetricAsync("iotmon_auth_failures_total") >= 2);

        // another device's topic (ACL): MQTT 5 PUBACK 0x87; 3.1.1 a plain PUBACK (no reason codes), dead-lettered as unauthorized
        var deadLetters = await gw.MetricAsync("iotmon_dead_letters_total");
        var acl = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-r", secret, "dev-r", $"iotmon/v1/{site}/dev-o/telemetry", Mosquitto.Batch(1, 1, Mosquitto.PastTime(t++)));
        if (version == "5")
        {
            Assert.Contains("Not authorized", acl.Stderr, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(acl.ExitCode == 0, acl.All);
        }

        Assert.Equal(1, await gw.MetricAsync("iotmon_acl_denials_total"));

        // subscribing to another device's commands: refused in the SUBACK
        var sub = await Mosquitto.SubAsync(gw.MqttPort, version, "dev-r", secret, "dev-r", $"iotmon/v1/{site}/dev-o/cmd", 1);
        Assert.Contains("denied", sub.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, await gw.MetricAsync("iotmon_acl_denials_total"));

        // oversized and malformed payloads: acknowledged (a resend would fail the same way) and dead-lettered
        var oversized = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-r", secret, "dev-r", own, Mosquitto.Batch(1, 100, Mosquitto.PastTime(t++), readings: 240));
        Assert.True(oversized.ExitCode == 0 && oversized.Stderr.Length == 0, oversized.All);
        var malformed = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-r", secret, "dev-r", own, "{\"v\":1,\"r\":[");
        Assert.True(malformed.ExitCode == 0 && malformed.Stderr.Length == 0, malformed.All);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await gw.MetricAsync("iotmon_dead_letters_total") < deadLetters + 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(deadLetters + 3, await gw.MetricAsync("iotmon_dead_letters_total")); // ACL, too_large, not_json

        // the stream is unharmed: the next good batch is stored, nothing of the refused ones
        var good = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-r", secret, "dev-r", own, Mosquitto.Batch(1, 1000, Mosquitto.PastTime(t++)));
        Assert.True(good.ExitCode == 0 && good.Stderr.Length == 0, good.All);
        Assert.Equal(4, await gw.WaitStoredAsync("dev-r", 4, TimeSpan.FromSeconds(20)));
        Assert.Equal(0, await gw.StoredAsync("dev-o"));
    }

    [Fact]
    public async Task Gateway_killed_with_SIGKILL_mid_burst_loses_no_acknowledged_reading_of_a_resending_311_node()
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        var secret = await gw.EnrolAsync("site-k", "dev-k");
        const int Messages = 1500;
        var node = Cli.StartResender("--port", gw.MqttPort.ToString(), "--version", "311", "--site", "site-k", "--device", "dev-k", "--password", secret,
            "--messages", Messages.ToString(), "--readings", "4", "--rate", "500", "--deadline-seconds", "120");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await gw.StoredAsync("dev-k") < 1200 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        gw.Kill();
        await gw.StartAsync();
        var sent = await node.WaitAsync(TimeSpan.FromSeconds(150));
        Assert.True(sent.ExitCode == 0, sent.All);
        Assert.Equal(Messages * 4L, await gw.WaitStoredAsync("dev-k", Messages * 4L, TimeSpan.FromSeconds(30)));
    }
}
