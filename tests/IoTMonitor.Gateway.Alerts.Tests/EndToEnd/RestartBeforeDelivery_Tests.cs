using IoTMonitor.Gateway.Alerts.Tests.Fakes;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

[Collection(AlertsCollection.Name)]
public sealed class RestartBeforeDelivery_Tests
{
    [Fact]
    public async Task A_gateway_restart_between_detection_and_delivery_still_delivers_exactly_once()
    {
        // receivers down: the alert is detected, its notifications wait in the outbox
        using var smtp = new SmtpServer();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        await using var gw = new GatewayHost(Packs.LevelOnly, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();
        await using (var node = await gw.ConnectNodeAsync("river-1", "wl-02"))
        {
            await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 4.0));
        }

        await GatewayHost.WaitUntilAsync(() => gw.Alerts.Store.Outbox(status: "pending").Any(o => o.Channel == "webhook" && o.Attempts >= 1), TimeSpan.FromSeconds(10), "a failed webhook attempt");
        var alert = Assert.Single(gw.Alerts.Store.ListActive());
        await gw.StopAsync();

        // receivers up, gateway back on the same data dir
        await smtp.StartAsync();
        hook.Start();
        await gw.StartAsync();
        await GatewayHost.WaitUntilAsync(() => hook.Calls.Count >= 1 && smtp.Messages().Count >= 1, TimeSpan.FromSeconds(20), "delivery after the restart");
        await Task.Delay(1500);

        Assert.Single(hook.Calls);
        Assert.Single(smtp.Messages());
        Assert.Equal(alert.Id, hook.Calls[0].AlertId);
        var webhook = gw.Alerts.Store.Outbox(alert.Id).Single(o => o.Channel == "webhook");
        Assert.Equal("sent", webhook.Status);
        var attempts = gw.Alerts.Store.Attempts(webhook.Id);
        Assert.True(attempts.Count >= 2, "failed attempts before the restart are recorded");
        Assert.False(attempts[0].Ok);
        Assert.True(attempts[^1].Ok);
        Assert.Contains("HTTP 200", attempts[^1].Detail, StringComparison.Ordinal);
        Assert.Single(gw.Alerts.Store.ListActive()); // still one open alert, not a second one
    }
}
