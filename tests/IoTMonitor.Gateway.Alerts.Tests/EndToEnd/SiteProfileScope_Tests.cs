using System.Net;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

/// <summary>
/// Sites created and typed through the API (<c>PUT /api/v1/sites/{site}</c>, no <c>Alerts:Sites</c> entry):
/// rules scoped by site type and by basin apply to them, and the messages say where they are.
/// </summary>
[Collection(AlertsCollection.Name)]
public sealed class SiteProfileScope_Tests
{
    private const string Pack = """
        {"name":"test-scope","rules":[
          {"id":"turbidity.drinking","name":"Drinking water turbidity above 1 NTU","kind":"threshold","quantity":"water.turbidity","severity":"critical",
           "above":1,"hysteresis":0.1,"scope":{"siteTypes":["drinking_water_source"]},"source":"GB 5749-2022","action":"Check filtration"},
          {"id":"level.tarim","name":"Tarim water level high","kind":"threshold","quantity":"water.level","severity":"warning",
           "above":3.5,"hysteresis":0.1,"scope":{"basins":["Tarim"]},"source":"site-specific (test)","action":"Warn downstream"}
        ]}
        """;

    [Fact]
    public async Task Rules_scoped_by_site_type_and_by_basin_fire_for_sites_profiled_through_the_api_and_say_where()
    {
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        hook.Start();
        await using var gw = new GatewayHost(Pack, new Dictionary<string, string>
        {
            ["Alerts:Webhook:Urls:0"] = hook.Url,
            ["Alerts:Webhook:Secret"] = Packs.WebhookSecret,
        });
        await gw.StartAsync();
        Assert.Empty(gw.Alerts.Options.Sites);

        // the profiles, as an agency enters them (the engine is already running)
        await PutSiteAsync(gw, "intake-1", new { name = "Wudaokou intake", lat = 39.99, lon = 116.33, basin = "Hai", type = "drinking_water_source" });
        await PutSiteAsync(gw, "alar-1", new { name = "Alar gauge", lat = 40.55, lon = 81.28, basin = "Tarim", type = "river" });
        await PutSiteAsync(gw, "other-1", new { name = "Other reach", lat = 39.5, lon = 116.0, basin = "Hai", type = "river" }); // neither scope
        using (var old = await gw.Http.PutAsync("/api/v1/sites/old-1", Json(new { name = "Old", type = "drinking" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode); // the pack's former name is not a site type
            Assert.Contains("drinking_water_source", await old.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var oldRule = await gw.Http.PostAsync("/api/v1/alert-rules", new StringContent(
            """{"id":"ph.drinking","name":"pH","kind":"threshold","quantity":"water.ph","below":6.5,"source":"GB 5749-2022","scope":{"siteTypes":["drinking"]}}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, oldRule.StatusCode);
        }

        await using var intake = await gw.ConnectNodeAsync("intake-1", "tu-01");
        await using var alar = await gw.ConnectNodeAsync("alar-1", "wl-01");
        await using var other = await gw.ConnectNodeAsync("other-1", "mx-01");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await other.SendAsync("water.turbidity", (now - 1, 0.5), (now, 2.4));
        await other.SendAsync("water.level", (now - 1, 3.0), (now, 3.9));
        await intake.SendAsync("water.turbidity", (now - 1, 0.5), (now, 2.4));
        await alar.SendAsync("water.level", (now - 1, 3.0), (now, 3.9));
        await GatewayHost.WaitUntilAsync(() => hook.Calls.Count >= 2, TimeSpan.FromSeconds(20), "two webhooks");
        await gw.Alerts.Engine.FlushAsync();
        await Task.Delay(1000); // anything extra (the other site) would have arrived by now

        Assert.Equal(2, hook.Calls.Count);
        var turbidity = Text(hook.Calls, "turbidity.drinking", "intake-1");
        Assert.Contains("at Wudaokou intake (intake-1)", turbidity, StringComparison.Ordinal);
        Assert.Contains("drinking_water_source, basin Hai, 39.99N 116.33E", turbidity, StringComparison.Ordinal);
        var level = Text(hook.Calls, "level.tarim", "alar-1");
        Assert.Contains("at Alar gauge (alar-1)", level, StringComparison.Ordinal);
        Assert.Contains("river, basin Tarim, 40.55N 81.28E", level, StringComparison.Ordinal);

        // a profile change applies to the next reading (no restart, no stale copy)
        await PutSiteAsync(gw, "other-1", new { name = "Other intake", lat = 39.5, lon = 116.0, basin = "Tarim", type = "drinking_water_source" });
        await other.SendAsync("water.turbidity", (now + 1, 2.6));
        await other.SendAsync("water.level", (now + 1, 4.0));
        await GatewayHost.WaitUntilAsync(() => hook.Calls.Count >= 4, TimeSpan.FromSeconds(20), "the other site's two webhooks");
        Assert.Contains("at Other intake (other-1)", Text(hook.Calls, "turbidity.drinking", "other-1"), StringComparison.Ordinal);
        Assert.Contains("basin Tarim, 39.5N 116E", Text(hook.Calls, "level.tarim", "other-1"), StringComparison.Ordinal);
    }

    private static async Task PutSiteAsync(GatewayHost gw, string site, object profile)
    {
        using var response = await gw.Http.PutAsync($"/api/v1/sites/{site}", Json(profile));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    /// <summary>The text of the one "opened" webhook of this rule and site.</summary>
    private static string Text(IEnumerable<WebhookCall> calls, string rule, string site)
    {
        var call = Assert.Single(calls, c =>
        {
            var alert = c.Json.GetProperty("alert");
            return alert.GetProperty("ruleId").GetString() == rule && alert.GetProperty("site").GetString() == site;
        });
        Assert.Equal("opened", call.Type);
        return call.Json.GetProperty("text").GetString()!;
    }
}
