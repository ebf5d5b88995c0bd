using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>A device's client id is its own: the login decides the identity, never a stored session.</summary>
[Collection("stranger")]
public sealed class Identity_Tests(InfluxDbFixture influx)
{
    [Theory]
    [InlineData("mqttv311")]
    [InlineData("5")]
    public async Task A_device_logging_in_with_another_devices_client_id_is_refused_gets_none_of_its_commands_and_stores_nothing_as_it(string version)
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        const string site = "site-id";
        var secretA = await gw.EnrolAsync(site, "dev-a");
        var secretB = await gw.EnrolAsync(site, "dev-b");
        string[] session = version == "5" ? ["-x", "3600"] : [];
        var cmdB = $"iotmon/v1/{site}/dev-b/cmd";

        // B opens its persistent session, subscribed to its commands, and goes to sleep
        var first = await Mosquitto.SubAsync(gw.MqttPort, version, "dev-b", secretB, "dev-b", cmdB, 1, session);
        Assert.DoesNotContain("rror", first.Stderr, StringComparison.Ordinal);
        var (status, body) = await gw.CurlAsync("POST", "/api/v1/devices/dev-b/commands", """{"cmd":"sample_now"}""");
        Assert.True(status == 202, $"{status} {body}");

        // A with its own credentials but B's client id
        var taken = await Mosquitto.SubAsync(gw.MqttPort, version, "dev-a", secretA, "dev-b", cmdB, 2, session);
        Assert.DoesNotContain("sample_now", taken.Stdout, StringComparison.Ordinal);
        Assert.True(taken.ExitCode != 0, $"A's CONNECT with B's client id was accepted: {taken.All}");
        var published = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-a", secretA, "dev-b", $"iotmon/v1/{site}/dev-b/telemetry", Mosquitto.Batch(1, 1, Mosquitto.PastTime(0)));
        Assert.True(published.ExitCode != 0, $"A's publish as B was accepted: {published.All}");

        // B still gets its queued command, and nothing was stored as B
        var own = await Mosquitto.SubAsync(gw.MqttPort, version, "dev-b", secretB, "dev-b", cmdB, 2, session);
        Assert.Contains("sample_now", own.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, await gw.StoredAsync("dev-b"));
        Assert.True(await gw.MetricAsync("iotmon_auth_failures_total") >= 2, gw.Log);
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("5")]
    public async Task A_device_may_use_its_id_or_site_slash_id_as_client_id(string version)
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        const string site = "site-id2";
        var secret = await gw.EnrolAsync(site, "dev-c");
        var topic = $"iotmon/v1/{site}/dev-c/telemetry";
        var plain = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-c", secret, "dev-c", topic, Mosquitto.Batch(1, 1, Mosquitto.PastTime(0)));
        Assert.True(plain.ExitCode == 0, plain.All);
        var firmwareStyle = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-c", secret, $"{site}/dev-c", topic, Mosquitto.Batch(1, 5, Mosquitto.PastTime(1)));
        Assert.True(firmwareStyle.ExitCode == 0, firmwareStyle.All);
        Assert.Equal(8, await gw.WaitStoredAsync("dev-c", 8, TimeSpan.FromSeconds(20)));
    }
}
