using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

[Collection(AlertsCollection.Name)]
public sealed class ThresholdCrossing_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task A_node_crossing_a_threshold_produces_exactly_one_email_one_webhook_and_one_mqtt_alert()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(Packs.LevelOnly, Packs.Settings(hook.Url, smtp.Port), influx.Server.Url);
        await gw.StartAsync();
        var mqtt = new List<JsonElement>();
        using var ops = await gw.SubscribeAlertsAsync(mqtt);
        await using var node = await gw.ConnectNodeAsync("river-1", "wl-01");

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await node.SendAsync("water.level", (now - 120, 3.1), (now - 60, 3.3));
        await node.SendAsync("water.level", (now, 3.72));
        await node.SendAsync("water.level", (now + 1, 3.8)); // still above: same alert, no new notification
        await GatewayHost.WaitUntilAsync(() => smtp.Messages().Count >= 1 && hook.Calls.Count >= 1 && mqtt.Count >= 1, TimeSpan.FromSeconds(20), "email, webhook and MQTT");
        await Task.Delay(1500); // anything extra would have arrived by now

        var call = Assert.Single(hook.Calls);
        Assert.Equal("opened", call.Type);
        Assert.True(call.SignatureValid, "HMAC signature");
        Assert.StartsWith(call.EventId + ":webhook:", call.IdempotencyKey, StringComparison.Ordinal);
        var text = call.Json.GetProperty("text").GetString()!;
        Assert.Contains("Qingshui bridge", text, StringComparison.Ordinal);
        Assert.Contains("32.05N 118.79E", text, StringComparison.Ordinal);
        Assert.Contains("basin Huai", text, StringComparison.Ordinal);
        Assert.Contains("3.72 m (limit > 3.5 m)", text, StringComparison.Ordinal);
        Assert.Contains("rising", text, StringComparison.Ordinal);
        Assert.Contains("Do: Warn people downstream", text, StringComparison.Ordinal);

        var mail = Assert.Single(smtp.Messages());
        Assert.Equal("duty@example.org", mail.To.Mailboxes.Single().Address);
        Assert.StartsWith("[CRITICAL] Water level above warning stage at Qingshui bridge", mail.Subject, StringComparison.Ordinal);
        Assert.Equal(Channels.Email.EmailChannel.MessageId(call.EventId + ":email:duty@example.org"), mail.MessageId);

        var published = Assert.Single(mqtt);
        Assert.Equal(call.EventId, published.GetProperty("id").GetString());

        // state, API, outbox receipts and the InfluxDB measurement
        var alert = Assert.Single(gw.Alerts.Store.ListActive());
        Assert.Equal(3.8, alert.Worst);
        var viewer = await gw.CreateKeyAsync("agency", "viewer");
        var duty = await gw.CreateKeyAsync("duty desk", "operator");
        using var listing = await gw.SendAsync(HttpMethod.Get, "/api/v1/alerts?state=active", viewer);
        var listed = JsonDocument.Parse(await listing.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(alert.Id, listed[0].GetProperty("id").GetString());
        await GatewayHost.WaitUntilAsync(() => gw.Alerts.Store.Outbox(alert.Id).All(o => o.Status == "sent"), TimeSpan.FromSeconds(20), "every notification sent (influx included)");
        Assert.All(gw.Alerts.Store.Outbox(alert.Id), o => Assert.NotNull(o.Receipt));
        var rows = await influx.Server.RowsAsync($"SELECT * FROM alerts WHERE alert_id = '{alert.Id}'", "iotmon");
        Assert.Single(rows);

        // acknowledge through the API (operator key; a viewer may not): one webhook + MQTT notice, no e-mail
        using (var denied = await gw.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{alert.Id}/ack", viewer, "{}"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, denied.StatusCode);
        }

        var ack = await gw.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{alert.Id}/ack", duty, """{"by":"duty officer","note":"on site"}""");
        Assert.True(ack.IsSuccessStatusCode, await ack.Content.ReadAsStringAsync());
        Assert.Equal("duty officer (key duty desk)", gw.Alerts.Store.GetAlert(alert.Id)!.AcknowledgedBy);
        await GatewayHost.WaitUntilAsync(() => hook.Calls.Count == 2, TimeSpan.FromSeconds(10), "the ack webhook");
        Assert.Equal("acknowledged", hook.Calls[1].Type);
        Assert.Single(smtp.Messages());
        var conflict = await gw.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{alert.Id}/ack", duty, "{}");
        Assert.Equal(System.Net.HttpStatusCode.Conflict, conflict.StatusCode);
    }

    [Fact]
    public async Task Rules_can_be_created_changed_and_deleted_through_the_api()
    {
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        await using var gw = new GatewayHost(Packs.Test, new Dictionary<string, string>());
        await gw.StartAsync();
        var rule = """{"id":"ph.low","name":"pH low","kind":"threshold","quantity":"water.ph","below":6,"source":"GB 3838-2002 Table 1"}""";
        var op = await gw.CreateKeyAsync("technician", "operator");
        using (var denied = await gw.SendAsync(HttpMethod.Post, "/api/v1/alert-rules", op, rule))
        {
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, denied.StatusCode); // editing rules is for admins
        }

        Assert.Equal(System.Net.HttpStatusCode.Created, (await gw.Http.PostAsync("/api/v1/alert-rules", JsonContent(rule))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, (await gw.Http.PostAsync("/api/v1/alert-rules", JsonContent(rule))).StatusCode);
        var bad = await gw.Http.PutAsync("/api/v1/alert-rules/ph.low", JsonContent("""{"name":"pH low","kind":"threshold","quantity":"water.ph","source":"x"}"""));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("above and/or below", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((await gw.Http.PutAsync("/api/v1/alert-rules/level.high", JsonContent("""{"name":"Level","kind":"threshold","quantity":"water.level","above":2,"source":"site plan"}"""))).IsSuccessStatusCode);
        Assert.Contains(gw.Alerts.Engine.Rules, r => r.Id == "level.high" && r.Above == 2);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await gw.Http.DeleteAsync("/api/v1/alert-rules/ph.low")).StatusCode);
        Assert.DoesNotContain(gw.Alerts.Engine.Rules, r => r.Id == "ph.low");

        // operator edits survive a restart that re-reads the rule pack
        await gw.RestartAsync();
        Assert.Contains(gw.Alerts.Engine.Rules, r => r.Id == "level.high" && r.Above == 2);
        var list = JsonDocument.Parse(await gw.Http.GetStringAsync("/api/v1/alert-rules")).RootElement;
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("rule").GetProperty("id").GetString() == "level.high" && r.GetProperty("origin").GetString() == "api");
        using (var read = await gw.SendAsync(HttpMethod.Get, "/api/v1/alert-rules/level.high", op))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, read.StatusCode); // reading them is not
        }

        gw.Http.DefaultRequestHeaders.Remove("X-Api-Key");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await gw.Http.GetAsync("/api/v1/alerts")).StatusCode);
    }

    internal static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
