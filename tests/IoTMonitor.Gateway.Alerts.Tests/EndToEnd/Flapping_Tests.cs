using IoTMonitor.Gateway.Alerts.Tests.Support;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

[Collection(AlertsCollection.Name)]
public sealed class Flapping_Tests
{
    [Fact]
    public async Task A_flapping_value_does_not_spam()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(Packs.LevelOnly, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();
        await using var node = await gw.ConnectNodeAsync("river-1", "wl-04");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        for (var i = 0; i < 20; i++)
        {
            await node.SendAsync("water.level", (now + i, i % 2 == 0 ? 3.7 : 3.2));
        }

        await GatewayHost.WaitUntilAsync(() => hook.Calls.Any(c => c.Type == "flapping"), TimeSpan.FromSeconds(20), "the flapping notice");
        await Task.Delay(2000);

        Assert.Single(hook.Calls, c => c.Type == "opened");
        Assert.Single(hook.Calls, c => c.Type == "flapping");
        Assert.Equal(2, hook.Calls.Count);
        Assert.Equal(2, smtp.Messages().Count); // the page and the one flapping notice
        var alert = Assert.Single(gw.Alerts.Store.ListAlerts(new AlertQuery(Device: "wl-04")));
        Assert.True(alert.Flapping);
        Assert.Equal(9, alert.Flaps);
    }
}
