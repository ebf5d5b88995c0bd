using System.Globalization;
using IoTMonitor.Gateway.Alerts.Tests.Support;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

/// <summary>
/// The MQTT channel publishes two messages per notification (retained active state, event); the
/// outbox retries the whole entry when either fails. The event must still reach subscribers once.
/// </summary>
[Collection(AlertsCollection.Name)]
public sealed class MqttPartialFailure_Tests
{
    [Fact]
    public async Task A_refused_retained_publish_is_retried_without_publishing_the_event_twice()
    {
        await using var broker = await RefusingMqttBroker.StartAsync(topic => topic.Contains("/active/", StringComparison.Ordinal));
        var (entry, accepted) = await OpenAlertThroughAsync(broker, "wl-21");

        Assert.Equal(1, broker.Refused);
        Assert.True(entry.Attempts >= 2, $"the refusal must have caused a retry (attempts {entry.Attempts})");
        Assert.Single(accepted, m => m.Topic.Contains("/events/", StringComparison.Ordinal) && m.Key == entry.Key);
        Assert.Contains(accepted, m => m.Topic.EndsWith("/active/river-1/" + entry.AlertId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_event_publish_is_retried_and_the_event_goes_out_once()
    {
        await using var broker = await RefusingMqttBroker.StartAsync(topic => topic.Contains("/events/", StringComparison.Ordinal));
        var (entry, accepted) = await OpenAlertThroughAsync(broker, "wl-22");

        Assert.Equal(1, broker.Refused);
        Assert.True(entry.Attempts >= 2, $"the refusal must have caused a retry (attempts {entry.Attempts})");
        Assert.Single(accepted, m => m.Topic.Contains("/events/", StringComparison.Ordinal) && m.Key == entry.Key);

        // the retry repeated the retained state, which is idempotent; it still went out before the event
        var active = accepted.FindIndex(m => m.Topic.EndsWith("/active/river-1/" + entry.AlertId, StringComparison.Ordinal));
        var evt = accepted.FindIndex(m => m.Key == entry.Key);
        Assert.InRange(active, 0, evt - 1);
    }

    /// <summary>
    /// Raises one alert on a gateway whose alert channel publishes to <paramref name="broker"/> and
    /// waits until the outbox records its MQTT entry as sent. The broker answers each publish
    /// after recording it, so once the entry is sent every publish of it is recorded.
    /// </summary>
    private static async Task<(OutboxEntry Entry, List<(string Topic, string? Key)> Accepted)> OpenAlertThroughAsync(RefusingMqttBroker broker, string device)
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        var settings = Packs.Settings(hook.Url, smtp.Port, new Dictionary<string, string>
        {
            ["Alerts:Mqtt:Host"] = "127.0.0.1",
            ["Alerts:Mqtt:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Alerts:Mqtt:User"] = "alerts-test",
            ["Alerts:Mqtt:Password"] = "alerts-test-password",
            ["Alerts:Mqtt:SubscribeStatus"] = "false",
        });
        await using var gw = new GatewayHost(Packs.LevelOnly, settings);
        await gw.StartAsync();
        await using (var node = await gw.ConnectNodeAsync("river-1", device))
        {
            await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 4.0));
        }

        OutboxEntry? sent = null;
        await GatewayHost.WaitUntilAsync(
            () =>
            {
                var alert = gw.Alerts.Store.ListActive().SingleOrDefault();
                sent = alert is null ? null : gw.Alerts.Store.Outbox(alert.Id).SingleOrDefault(o => o.Channel == "mqtt" && o.Status == "sent");
                return sent is not null;
            },
            TimeSpan.FromSeconds(30),
            "the alert's MQTT notification to be sent after the retry");
        return (sent!, broker.Accepted());
    }
}
