using System.Text.Json;
using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>
/// The site list (docs/api.md "Status colours") reads every site's open alerts in one store read; a
/// site is coloured by its own open alerts only, and an acknowledged alert colours none.
/// </summary>
[Collection("stranger")]
public sealed class SiteList_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task Each_site_in_the_list_is_coloured_by_its_own_open_alerts()
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        var secrets = new Dictionary<string, string>();
        foreach (var n in new[] { "a", "b", "c" })
        {
            secrets[n] = await gw.EnrolAsync($"site-l{n}", $"dev-l{n}");
        }

        var (ruleStatus, ruleBody) = await gw.CurlAsync("POST", "/api/v1/alert-rules",
            """{"id":"stranger.ph.high","name":"pH above 7","kind":"threshold","quantity":"water.ph","severity":"warning","above":7.0,"scope":{"sites":["site-la","site-lc"]},"source":"stranger test"}""");
        Assert.True(ruleStatus is 200 or 201, ruleBody);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var n in new[] { "a", "b", "c" })
        {
            var r = await Mosquitto.PubAsync(gw.MqttPort, "5", $"dev-l{n}", secrets[n], $"dev-l{n}", $"iotmon/v1/site-l{n}/dev-l{n}/telemetry", Mosquitto.Batch(1, 1, now));
            Assert.True(r.ExitCode == 0 && r.Stderr.Length == 0, r.All);
        }

        var alerts = await WaitAsync(gw, "/api/v1/alerts?state=open", a => a.GetArrayLength() == 2);
        var sites = await WaitAsync(gw, "/api/v1/sites", s => Status(s, "site-la") == "warning" && Status(s, "site-lc") == "warning");
        Assert.Equal("ok", Status(sites, "site-lb"));
        foreach (var site in sites.EnumerateArray())
        {
            var alertReasons = site.GetProperty("reasonCodes").EnumerateArray().Count(r => r.GetProperty("code").GetString() == "alert");
            Assert.Equal(site.GetProperty("id").GetString() == "site-lb" ? 0 : 1, alertReasons);
        }

        // acknowledged: no longer colours its site; the other site's alert still does
        var first = alerts.EnumerateArray().First(a => a.GetProperty("site").GetString() == "site-la").GetProperty("id").GetString();
        var (ack, ackBody) = await gw.CurlAsync("POST", $"/api/v1/alerts/{first}/ack", "{}");
        Assert.True(ack == 200, ackBody);
        sites = await WaitAsync(gw, "/api/v1/sites", s => Status(s, "site-la") == "ok");
        Assert.Equal("warning", Status(sites, "site-lc"));

        // the site page (its own read) agrees with the list
        var (one, oneBody) = await gw.CurlAsync("GET", "/api/v1/sites/site-lc");
        Assert.True(one == 200, oneBody);
        using var doc = JsonDocument.Parse(oneBody);
        Assert.Equal("warning", doc.RootElement.GetProperty("site").GetProperty("status").GetString());
    }

    private static string? Status(JsonElement sites, string id) =>
        sites.EnumerateArray().First(s => s.GetProperty("id").GetString() == id).GetProperty("status").GetString();

    private static async Task<JsonElement> WaitAsync(StrangerGateway gw, string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (status, body) = await gw.CurlAsync("GET", path);
            Assert.True(status == 200, $"GET {path}: {status} {body}");
            var root = JsonDocument.Parse(body).RootElement.Clone();
            if (done(root) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(root), $"GET {path}: {body}");
                return root;
            }

            await Task.Delay(250);
        }
    }
}
