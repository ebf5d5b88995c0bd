using System.Globalization;
using IoTMonitor.Gateway.Alerts.Tests.Support;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

[Collection(AlertsCollection.Name)]
public sealed class AlertMetrics_Tests
{
    [Fact]
    public async Task Metrics_show_how_many_batches_the_alert_engine_evaluated_and_committed()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(Packs.LevelOnly, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();
        await using var node = await gw.ConnectNodeAsync("river-1", "wl-07");

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (var i = 0; i < 3; i++)
        {
            await node.SendAsync("water.level", (now - 60 + i, 2.0 + (i * 0.1)));
        }

        await GatewayHost.WaitUntilAsync(() => gw.Alerts.Engine.BatchesEvaluated >= 3, TimeSpan.FromSeconds(20), "three evaluated batches");
        using var response = await gw.SendAsync(HttpMethod.Get, "/metrics", GatewayHost.AdminKey);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(3, Value(text, "iotmon_alert_batches_evaluated_total"));
        // A group also holds the node's status and the engine's periodic checks, and how items fall
        // into groups depends on timing (a loaded runner evaluated four groups here), so only the
        // lower bound is fixed.
        Assert.True(Value(text, "iotmon_alert_groups_total") >= 1, text);
        Assert.True(Value(text, "iotmon_alert_commits_total") >= Value(text, "iotmon_alert_groups_total"), text);
        Assert.Equal(0, Value(text, "iotmon_alert_evaluation_failures_total"));

        // a fresh store: no stop has cut a batch and no run ended uncleanly; the queue can only hold
        // the few items of this test (the periodic tick may have queued one more by now)
        Assert.InRange(Value(text, "iotmon_alert_queue_length"), 0, 10);
        Assert.Equal(0, Value(text, "iotmon_alert_batches_cut_at_stop_total"));
        Assert.Equal(0, Value(text, "iotmon_alert_unclean_stops_total"));
        Assert.Contains("# TYPE iotmon_alert_queue_length gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE iotmon_alert_batches_cut_at_stop_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE iotmon_alert_unclean_stops_total counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_show_a_batch_the_alert_engine_has_not_evaluated_yet_in_its_queue_length()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(Packs.LevelOnly, Packs.Settings(hook.Url, smtp.Port));
        await gw.StartAsync();

        // the engine takes nothing until the stop, so the durable batch provably stays queued
        gw.Alerts.Engine.HoldEvaluation();
        await using (var node = await gw.ConnectNodeAsync("river-1", "wl-08"))
        {
            await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30, 2.0));
        }

        await GatewayHost.WaitUntilAsync(() => gw.Alerts.Engine.QueueLength >= 1, TimeSpan.FromSeconds(20), "the batch to reach the engine's queue");
        using var response = await gw.SendAsync(HttpMethod.Get, "/metrics", GatewayHost.AdminKey);
        var text = await response.Content.ReadAsStringAsync();

        // the node's status and ticks may be queued too: at least the batch
        Assert.True(Value(text, "iotmon_alert_queue_length") >= 1, text);
        Assert.Equal(0, Value(text, "iotmon_alert_batches_evaluated_total"));
    }

    private static double Value(string metrics, string name)
    {
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"{name} missing from /metrics:\n{metrics}");
        return double.Parse(line![(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
