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
    }

    private static double Value(string metrics, string name)
    {
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"{name} missing from /metrics:\n{metrics}");
        return double.Parse(line![(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
