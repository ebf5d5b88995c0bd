using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>
/// Our nodes publish at QoS 1, but nothing stops an operator's logger from using QoS 2; its PUBREC is the
/// gateway taking the message over (MQTT 3.1.1 §4.3.3, MQTT 5.0 §4.3.3), so it is held until the WAL has it.
/// </summary>
[Collection("stranger")]
public sealed class QoS2_Tests(InfluxDbFixture influx)
{
    [Theory]
    [InlineData("mqttv311")]
    [InlineData("5")]
    public async Task Telemetry_published_at_QoS_2_is_stored_once(string version)
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        var secret = await gw.EnrolAsync("site-q2", "dev-q2");
        var topic = "iotmon/v1/site-q2/dev-q2/telemetry";
        var batches = Enumerable.Range(0, 3).Select(m => Mosquitto.Batch(1, 1 + (4 * m), Mosquitto.PastTime(m))).ToArray();
        foreach (var batch in batches)
        {
            var r = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-q2", secret, "dev-q2", topic, batch, "-q", "2");
            Assert.True(r.ExitCode == 0 && !r.Stderr.Contains("arning", StringComparison.Ordinal), r.All);
        }

        // the same batch again at QoS 2 (a logger that lost the PUBCOMP) is still one set of points
        var again = await Mosquitto.PubAsync(gw.MqttPort, version, "dev-q2", secret, "dev-q2", topic, batches[0], "-q", "2");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Equal(12, await gw.WaitStoredAsync("dev-q2", 12, TimeSpan.FromSeconds(20)));
    }
}
