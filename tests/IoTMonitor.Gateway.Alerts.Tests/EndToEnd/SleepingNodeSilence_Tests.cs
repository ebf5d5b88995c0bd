using System.Diagnostics;
using IoTMonitor.Gateway.Alerts.Tests.Support;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

[Collection(AlertsCollection.Name)]
public sealed class SleepingNodeSilence_Tests
{
    [Fact]
    public async Task Silence_of_a_sleeping_node_is_detected_only_after_K_missed_reports()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(Packs.Test, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();
        await using var node = await gw.ConnectNodeAsync("river-1", "wl-05");

        // a node that wakes every 2 s, reports, and announces its next report before sleeping
        await node.StatusAsync("""{"v":1,"state":"online","fw":"1.0.0","boot":1,"cfg":"00000000","wake":2,"rst":2,"cfgErr":0}""");
        await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 2.0));
        var asleepAt = DateTimeOffset.UtcNow;
        var asleepTicks = Stopwatch.GetTimestamp();
        var clk = asleepAt.ToUnixTimeSeconds();
        await node.StatusAsync($$"""{"v":1,"state":"sleeping","next":{{clk + 3}},"clk":{{clk}}}""");

        // Announced report at clk + 3 (+1 s grace), then every 2 s: the third is missed once the
        // gateway's clock reads clk + 8, i.e. no earlier than 7 s after asleepAt (clk ≤ asleepAt).
        // The second miss would already count at clk + 6 (≤ 6 s after asleepAt), so an alert that
        // arrives more than 6.5 s after asleepAt proves the engine waited for K = 3. Judged by when
        // the webhook received it, so a stalled test thread cannot make it look early or late.
        await GatewayHost.WaitUntilAsync(() => hook.Calls.Any(c => c.Type == "opened"), TimeSpan.FromSeconds(30), "the silence alert");
        var opened = hook.Calls.First(c => c.Type == "opened");
        var detectedAfter = Stopwatch.GetElapsedTime(asleepTicks, opened.ReceivedTicks);
        Assert.InRange(detectedAfter.TotalSeconds, 6.5, 30);
        var alert = Assert.Single(gw.Alerts.Store.ListActive());
        Assert.Equal("node.silent", alert.RuleId);

        // the node wakes and reports: the alert resolves by itself
        await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 2.0));
        await GatewayHost.WaitUntilAsync(() => gw.Alerts.Store.ListActive().Count == 0, TimeSpan.FromSeconds(20), "the silence alert to resolve");
    }
}
