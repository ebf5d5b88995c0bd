using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

[Collection(AlertsCollection.Name)]
public sealed class StopDrain_Tests
{
    [Fact]
    public async Task A_crossing_still_queued_at_a_graceful_stop_yields_one_alert_delivered_once_across_the_restart()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(Packs.LevelOnly, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();

        // the reading is durable and acknowledged to the node, but the engine has not evaluated it when the stop begins
        gw.Alerts.Engine.HoldEvaluation();
        await using (var node = await gw.ConnectNodeAsync("river-1", "wl-03"))
        {
            await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 4.0));
        }

        await GatewayHost.WaitUntilAsync(() => gw.Alerts.Engine.QueueLength >= 1, TimeSpan.FromSeconds(10), "the batch to reach the engine's queue");
        Assert.Empty(gw.Alerts.Store.ListActive());
        await gw.StopAsync();

        await gw.StartAsync();
        await GatewayHost.WaitUntilAsync(() => hook.Calls.Count >= 1 && smtp.Messages().Count >= 1, TimeSpan.FromSeconds(20), "webhook and e-mail of the drained crossing");
        await Task.Delay(1500); // a second delivery would have arrived by now

        var alert = Assert.Single(gw.Alerts.Store.ListAlerts(new AlertQuery(Limit: 100)));
        Assert.Equal("wl-03", alert.Device);
        Assert.Equal(AlertStates.Open, alert.State);
        var call = Assert.Single(hook.Calls);
        Assert.Equal(alert.Id, call.AlertId);
        Assert.Equal("opened", call.Type);
        Assert.Single(smtp.Messages());
        var outbox = gw.Alerts.Store.Outbox(alert.Id);
        Assert.Single(outbox, o => o.Channel == "webhook");
        Assert.Single(outbox, o => o.Channel == "email");
        Assert.All(outbox.Where(o => o.Channel is "webhook" or "email"), o => Assert.Equal("sent", o.Status));
        Assert.Equal(0, gw.Alerts.Engine.BatchesCutAtStop);
    }
}
