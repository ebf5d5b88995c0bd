using IoTMonitor.Gateway.Alerts.Tests.Support;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

/// <summary>
/// QoS 1 may deliver a batch twice (a node resending after a lost PUBACK, a restart): the rules see
/// each (device, boot, n) once, and a new boot whose numbers start again at 1 is new.
/// </summary>
[Collection(AlertsCollection.Name)]
public sealed class Redelivery_Tests
{
    /// <summary>Four identical readings in a row (three repeats) are a flat-lined probe.</summary>
    private const string FlatLine = """
        {"name":"test-flat","rules":[
          {"id":"probe.flat","name":"Water level probe flat-lined","kind":"probe_fault","quantity":"water.level","severity":"warning",
           "flagMask":70,"samples":4,"source":"test","action":"Clean the probe"}
        ]}
        """;

    [Fact]
    public async Task A_batch_delivered_twice_counts_its_repeats_once_and_a_new_boot_reusing_the_numbers_is_evaluated()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(FlatLine, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();
        await using var node = await gw.ConnectNodeAsync("river-1", "wl-31");
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;

        // the same batch twice, as a node resends it when the PUBACK was lost
        var batch = VirtualNode.Batch(boot: 7, firstSeq: 1, "water.level", 3.9, (t, 2.0), (t + 1, 2.0));
        await node.PublishAsync(batch);
        await node.PublishAsync(batch);
        await gw.Alerts.Engine.FlushAsync();

        Assert.Equal(1, gw.Alerts.Engine.StateOf("probe.flat", "wl-31")!.Repeats); // as if delivered once (twice: 3, a fault)
        Assert.Empty(gw.Alerts.Store.ListAlerts(new AlertQuery(Limit: 100)));
        Assert.Equal(2, gw.Service<Accounting.Ledger>().For("river-1", "wl-31").Duplicates); // ingest saw the redelivery
        Assert.Equal(2, gw.Alerts.Engine.DuplicateReadingsSkipped);

        // the node reboots: n starts again at 1 under boot 8, and these are new readings
        await node.PublishAsync(VirtualNode.Batch(boot: 8, firstSeq: 1, "water.level", 3.9, (t + 2, 2.0), (t + 3, 2.0)));
        await gw.Alerts.Engine.FlushAsync();

        Assert.Equal(2, gw.Alerts.Engine.DuplicateReadingsSkipped);
        Assert.Equal(3, gw.Alerts.Engine.StateOf("probe.flat", "wl-31")!.Repeats);
        var alert = Assert.Single(gw.Alerts.Store.ListAlerts(new AlertQuery(Limit: 100)));
        Assert.Equal("probe.flat", alert.RuleId);
        Assert.Contains("same value 4 readings in a row", alert.Trend, StringComparison.Ordinal);

        // one notification per channel, as for a batch delivered once
        await GatewayHost.WaitUntilAsync(() => hook.Calls.Count >= 1, TimeSpan.FromSeconds(20), "the webhook of the probe fault");
        Assert.Single(gw.Alerts.Store.Outbox(alert.Id), o => o.Channel == "webhook");

        using var response = await gw.SendAsync(HttpMethod.Get, "/metrics", GatewayHost.AdminKey);
        Assert.Contains("\niotmon_alert_duplicate_readings_skipped_total 2\n", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_resent_after_a_gateway_restart_is_still_recognised()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(FlatLine, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        var batch = VirtualNode.Batch(boot: 5, firstSeq: 1, "water.level", 3.9, (t, 2.0), (t + 1, 2.0));
        await using (var node = await gw.ConnectNodeAsync("river-1", "wl-33"))
        {
            await node.PublishAsync(batch);
        }

        await gw.Alerts.Engine.FlushAsync();
        await gw.RestartAsync(); // the PUBACK was lost in the restart: the node sends the batch again

        await using (var node = await gw.ConnectNodeAsync("river-1", "wl-33"))
        {
            await node.PublishAsync(batch);
        }

        await gw.Alerts.Engine.FlushAsync();
        Assert.Equal(1, gw.Alerts.Engine.StateOf("probe.flat", "wl-33")!.Repeats);
        Assert.Empty(gw.Alerts.Store.ListAlerts(new AlertQuery(Limit: 100)));
        Assert.Equal(2, gw.Alerts.Engine.DuplicateReadingsSkipped);
    }

    [Fact]
    public async Task A_resend_interleaved_with_a_flash_backlog_is_skipped_and_the_backlog_is_evaluated()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(FlatLine, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();
        await using var node = await gw.ConnectNodeAsync("river-1", "wl-32");
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600;

        // live readings 5-6 first, then the backlog 1-4 oldest first, with a resend of 5-6 in between
        var live = VirtualNode.Batch(boot: 3, firstSeq: 5, "water.level", 3.9, (t + 4, 2.4), (t + 5, 2.5));
        await node.PublishAsync(live);
        await node.PublishAsync(VirtualNode.Batch(boot: 3, firstSeq: 1, "water.level", 3.9, (t, 2.0), (t + 1, 2.1)));
        await node.PublishAsync(live);
        await node.PublishAsync(VirtualNode.Batch(boot: 3, firstSeq: 3, "water.level", 3.9, (t + 2, 2.2), (t + 3, 2.3)));
        await gw.Alerts.Engine.FlushAsync();

        Assert.Equal(2, gw.Alerts.Engine.DuplicateReadingsSkipped);
        var (boot, ranges) = Assert.Single(gw.Alerts.Engine.EvaluatedSequencesOf("wl-32")!.Snapshot());
        Assert.Equal(3, boot);
        Assert.Equal([(1L, 6L)], ranges);
        Assert.Equal(4, gw.Alerts.Engine.BatchesEvaluated); // the resend went through the engine, its readings did not
    }
}
