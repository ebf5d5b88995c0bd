using IoTMonitor.Gateway.Alerts.Tests.Support;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

[Collection(AlertsCollection.Name)]
public sealed class BacklogReplay_Tests
{
    [Fact]
    public async Task A_backlog_replay_of_old_exceedances_pages_nobody_and_is_reported_late()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(Packs.LevelOnly, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();
        await using var node = await gw.ConnectNodeAsync("river-1", "wl-03");

        // the node was offline for 6 h and flushes its flash queue: two old exceedances, now normal
        var start = DateTimeOffset.UtcNow.AddHours(-6).ToUnixTimeSeconds();
        var backlog = Enumerable.Range(0, 24).Select(i => (start + (i * 900L), i is >= 4 and < 8 or >= 14 and < 16 ? 3.9 : 2.8)).ToArray();
        await node.SendAsync("water.level", backlog[..12]);
        await node.SendAsync("water.level", backlog[12..]);
        await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 2.7));
        await GatewayHost.WaitUntilAsync(() => hook.Calls.Count >= 4, TimeSpan.FromSeconds(20), "the late reports");
        await Task.Delay(1500);

        Assert.Empty(smtp.Messages());
        Assert.All(hook.Calls, c => Assert.True(c.Late));
        Assert.Equal(2, hook.Calls.Count(c => c.Type == "late"));
        var history = gw.Alerts.Store.ListAlerts(new AlertQuery(Device: "wl-03"));
        Assert.Equal(2, history.Count);
        Assert.All(history, a => Assert.True(a.Late));
        Assert.All(history, a => Assert.Equal(AlertStates.Resolved, a.State));
        Assert.DoesNotContain(gw.Alerts.Store.Outbox(), o => o.Channel is "email" or "sms");
    }
}
