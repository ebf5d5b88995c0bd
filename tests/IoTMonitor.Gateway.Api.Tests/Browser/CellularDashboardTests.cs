using System.Text.Json;
using IoTMonitor.Gateway.Api.Tests.Support;
using Microsoft.Playwright;

namespace IoTMonitor.Gateway.Api.Tests.Browser;

/// <summary>
/// A site's device table in headless Chromium against a real gateway fed over MQTT: two cellular nodes
/// report their network in the batch health (protocol §4 op, act, rsrp, iccid) — one at RSRP −85 dBm
/// (good), one at −108 dBm (weak, flagged) — beside a Wi-Fi node with none. The network column shows
/// operator, access technology, the signal with its quality word and the ICCID, in Chinese and English.
/// Screenshots go to TestResults/screenshots.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class CellularDashboardTests(ApiFixture fixture)
{
    private const string Site = "shule-guazhou";

    [Fact]
    public async Task The_device_table_shows_each_cellular_nodes_network_and_flags_a_weak_signal_in_both_languages()
    {
        await using var host = await GatewayHost.StartAsync(fixture.Influx);
        var secrets = await host.AddSiteAsync(Site, 40.52, 95.78, "Shule", "irrigation_district", "sg-cat1", "sg-nb", "sg-wifi");
        var viewer = await host.CreateKeyAsync("district office", "viewer");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var (device, health) in new[]
        {
            ("sg-cat1", "\"rssi\":-73,\"op\":\"CHINA MOBILE\",\"act\":7,\"rsrp\":-85,\"iccid\":\"89860012345678901234\""),
            ("sg-nb", "\"rssi\":-99,\"op\":\"CHN-UNICOM\",\"act\":9,\"rsrp\":-108,\"iccid\":\"89860118802153456789\""),
            ("sg-wifi", "\"rssi\":-61"),
        })
        {
            await using var node = await TelemetryPublisher.ConnectAsync(host.MqttPort, Site, device, secrets[device]);
            await node.PublishJsonAsync($$"""{"v":1,"fw":"1.0.0","boot":1,"clk":{{now}},"h":{"bat":3.9,{{health}},"qd":0,"drop":0,"rst":1},"r":[[1,{{now - 60}},"soil.moisture",21.5,0]]}""");
        }

        // the site detail (what the page reads) carries the network once the batches are in
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (status, body, _) = await host.GetAsync($"/api/v1/sites/{Site}", viewer);
            var devices = status == 200 ? body!.RootElement.GetProperty("devices").EnumerateArray().ToList() : [];
            if (devices.Count(d => d.GetProperty("cellular").ValueKind == JsonValueKind.Object) == 2)
            {
                var nb = devices.Single(d => d.GetProperty("id").GetString() == "sg-nb").GetProperty("cellular");
                Assert.Equal("CHN-UNICOM", nb.GetProperty("operator").GetString());
                Assert.Equal(9, nb.GetProperty("act").GetInt64());
                Assert.Equal(-108, nb.GetProperty("rsrp").GetInt64());
                Assert.Equal("89860118802153456789", nb.GetProperty("iccid").GetString());
                Assert.Equal(JsonValueKind.Null, devices.Single(d => d.GetProperty("id").GetString() == "sg-wifi").GetProperty("cellular").ValueKind);
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the site detail never carried both nodes' network: {body?.RootElement}");
            await Task.Delay(200);
        }

        await using var browser = await DashboardSession.OpenAsync(host, viewer, "zh-CN");
        var page = browser.Page;
        var shots = DashboardTests.ScreenshotDir();
        foreach (var (lang, header, good, weak, warning, iccid) in new[]
        {
            ("zh", "蜂窝网络", "RSRP -85 dBm (良好)", "弱", "信号弱", "ICCID"),
            ("en", "Cellular network", "RSRP -85 dBm (good)", "weak", "Weak signal", "ICCID"),
        })
        {
            await page.EvaluateAsync("() => { location.hash = '#/'; }");
            await page.SelectOptionAsync("#lang", lang);
            await page.WaitForSelectorAsync("tr.site-row");
            await page.EvaluateAsync("h => { location.hash = h; }", $"#/site/{Site}");
            await page.WaitForSelectorAsync("#devices td.network");

            var headers = await page.Locator("#devices thead th").AllTextContentsAsync();
            Assert.Contains(header, headers);

            var cat1 = page.Locator("#devices tr[data-device='sg-cat1'] td.network");
            var cat1Text = await cat1.InnerTextAsync();
            Assert.Contains("CHINA MOBILE · 4G LTE", cat1Text, StringComparison.Ordinal);
            Assert.Contains(good, cat1Text, StringComparison.Ordinal);
            Assert.Contains($"{iccid} 89860012345678901234", cat1Text, StringComparison.Ordinal);
            Assert.Equal(0, await cat1.Locator(".badge").CountAsync());

            var nb = page.Locator("#devices tr[data-device='sg-nb'] td.network");
            var nbText = await nb.InnerTextAsync();
            Assert.Contains("CHN-UNICOM · NB-IoT", nbText, StringComparison.Ordinal);
            Assert.Contains("RSRP -108 dBm", nbText, StringComparison.Ordinal);
            Assert.Contains("89860118802153456789", nbText, StringComparison.Ordinal);
            var flag = nb.Locator(".signal.weak .badge[data-status='warning']");
            Assert.Equal(weak, (await flag.InnerTextAsync()).Trim());
            Assert.StartsWith(warning, await nb.Locator(".signal.weak").GetAttributeAsync("title"), StringComparison.Ordinal);

            Assert.Equal("–", (await page.Locator("#devices tr[data-device='sg-wifi'] td.network").InnerTextAsync()).Trim());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"cellular-network-{lang}.png"), FullPage = true });
        }

        Assert.Empty(browser.Errors);
        Assert.Empty(browser.External);
    }
}
