using System.Text.Json;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Api.Tests.Support;
using Microsoft.Playwright;

namespace IoTMonitor.Gateway.Api.Tests.Browser;

/// <summary>
/// The dashboard in headless Chromium (Debian's /usr/bin/chromium through Playwright) against a gateway
/// fed over MQTT by simulated devices: sites on the map and in the table, a site's charts with data
/// points and threshold, device health, an alert raised by the alert engine from a reading over MQTT, acknowledged. Screenshots go to TestResults/screenshots.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class DashboardTests(ApiFixture fixture)
{
    public const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Dashboard_shows_the_fleet_opens_a_site_draws_its_chart_and_acknowledges_an_alert()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install it with `apt-get install -y chromium` (scripts/install-deps.sh --browser does)");
        await using var host = await GatewayHost.StartAsync(fixture.Influx);
        var fleet = new (string Site, double Lat, double Lon, string Basin, string Type, string Device, string Quantity, double Base)[]
        {
            ("heihe-zhangye", 38.93, 100.45, "Heihe", "river", "hz-1", "water.ph", 7.6),
            ("tarim-alar", 40.55, 81.28, "Tarim", "irrigation_district", "ta-1", "soil.moisture", 23),
            ("qinghai-lake", 36.9, 100.2, "Qinghai Lake", "wetland", "ql-1", "water.temp", 8),
        };
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60;
        var secrets = new Dictionary<string, string>();
        foreach (var f in fleet)
        {
            secrets[f.Device] = (await host.AddSiteAsync(f.Site, f.Lat, f.Lon, f.Basin, f.Type, f.Device))[f.Device];
        }

        await using var hz = await TelemetryPublisher.ConnectAsync(host.MqttPort, "heihe-zhangye", "hz-1", secrets["hz-1"]);
        foreach (var f in fleet)
        {
            await using var other = f.Device == "hz-1" ? null : await TelemetryPublisher.ConnectAsync(host.MqttPort, f.Site, f.Device, secrets[f.Device]);
            var device = other ?? hz;
            // 6 h of readings every 5 min, sent in 3 batches as a node with a backlog would
            var readings = Enumerable.Range(0, 72).Select(i => (T: now - ((71 - i) * 300), Quantity: f.Quantity, Value: Math.Round(f.Base + Math.Sin(i / 6.0), 2), Flags: 0L)).ToList();
            foreach (var batch in readings.Chunk(24))
            {
                await device.PublishAsync(batch, battery: f.Site == "tarim-alar" ? 3.2 : 3.95, backlog: 0);
            }
        }

        var op = await host.CreateKeyAsync("field technician", "operator");
        await WaitForDataAsync(host, op, "heihe-zhangye", "water.ph", 72);

        // the alert comes from the engine: a rule for the site (admin), then hz-1 sends a reading that crosses it
        await host.AddThresholdRuleAsync("test.ph.high", "pH above 8.5", "water.ph", 8.5, "critical", "heihe-zhangye");
        await hz.PublishAsync([(Math.Max(now + 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds()), "water.ph", 8.9, 0L)], battery: 3.95, backlog: 0);
        var alert = (await host.WaitForAlertAsync("heihe-zhangye", op)).GetProperty("id").GetString()!;

        var shots = ScreenshotDir();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var external = new List<string>();
        context.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(host.BaseUrl.ToString(), StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal) && !r.Url.StartsWith("blob:", StringComparison.Ordinal))
            {
                external.Add(r.Url);
            }
        };
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.SetDefaultTimeout(15000);

        await page.GotoAsync(host.BaseUrl.ToString());
        await page.FillAsync("#key", op);
        await page.ClickAsync("#keyform button");
        await page.WaitForSelectorAsync("tr.site-row");
        Assert.Equal(3, await page.Locator("tr.site-row").CountAsync());
        await page.WaitForSelectorAsync("#map[data-placed='3'] .leaflet-marker-icon");
        // every site on the map, alone or in a cluster (two are ≈ 230 km apart and cluster when zoomed out)
        Assert.Equal(3, await page.EvaluateAsync<int>("() => document.querySelectorAll('.site-marker[data-site]').length + [...document.querySelectorAll('.site-cluster b')].reduce((n, b) => n + +b.textContent, 0)"));
        Assert.Equal("critical", await page.Locator("tr.site-row[data-site=heihe-zhangye] .badge").TextContentAsync());
        Assert.Equal("warning", await page.Locator("tr.site-row[data-site=tarim-alar] .badge").TextContentAsync()); // battery 3.2 V
        Assert.Equal("ok", await page.Locator("tr.site-row[data-site=qinghai-lake] .badge").TextContentAsync());
        Assert.Equal("heihe-zhangye", await page.Locator("tr.site-row").First.GetAttributeAsync("data-site")); // worst first
        Assert.Contains("Alert: pH above 8.5 (hz-1)", await page.Locator("tr.site-row[data-site=heihe-zhangye] .reasons").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("ta-1: battery low, 3.20 V", await page.Locator("tr.site-row[data-site=tarim-alar] .reasons").TextContentAsync(), StringComparison.Ordinal);
        await page.ClickAsync("th[data-sort=name]");
        Assert.Equal("HEIHE-ZHANGYE", await page.Locator("tr.site-row td.name a").First.TextContentAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "1-overview.png"), FullPage = true });

        await page.ClickAsync("tr.site-row[data-site=heihe-zhangye]");
        var chart = page.Locator(".chart[data-quantity='water.ph'][data-points]");
        await chart.WaitForAsync();
        var points = int.Parse(await chart.GetAttributeAsync("data-points") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(points, 60, 80); // 6 h of 5-min readings in 5-min windows of the 24 h view
        Assert.Equal(2, await chart.Locator(".u-legend .u-series").CountAsync()); // time and the one device
        Assert.Contains("hz-1", await chart.Locator(".u-legend").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("above 8.50 pH · pH above 8.5", await page.Locator(".chart-card:has(.chart[data-quantity='water.ph']) .chart-limits").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("3.95 V", await page.Locator("#devices tr[data-device=hz-1]").TextContentAsync(), StringComparison.Ordinal);
        await page.WaitForFunctionAsync("() => !document.querySelector('#devices .completeness').textContent.includes('…')");
        Assert.Contains("100.0 %", await page.Locator("#devices tr[data-device=hz-1] .completeness").TextContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "2-site.png"), FullPage = true });

        // zoom: drag across the middle of the chart; the chart redraws on the narrower range
        var box = (await chart.Locator(".u-over").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.80f), box.Y + (box.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.95f), box.Y + (box.Height / 2), new MouseMoveOptions { Steps = 5 });
        await page.Mouse.UpAsync();
        await page.WaitForFunctionAsync("() => { const s = document.querySelector(\".chart[data-quantity='water.ph']\"); return s && +s.dataset.points > 0 && +s.dataset.points < 60; }");

        await page.ClickAsync($"button[data-ack='{alert}']");
        await page.WaitForSelectorAsync($"tr[data-alert='{alert}'].acked");
        Assert.Contains("acknowledged by field technician", await page.Locator($"tr[data-alert='{alert}']").TextContentAsync(), StringComparison.Ordinal);
        var stored = host.Service<AlertsService>().Store.GetAlert(alert)!;
        Assert.Equal(AlertStates.Acknowledged, stored.State);
        Assert.Equal("field technician", stored.AcknowledgedBy);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "3-alert-acknowledged.png"), FullPage = true });

        // phone-sized screen
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(host.BaseUrl + "#/");
        await page.WaitForSelectorAsync("tr.site-row");
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 400, $"page is {width}px wide on a 390px screen");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "4-phone.png"), FullPage = true });

        Assert.Empty(errors);
        Assert.Empty(external);
    }

    internal static async Task WaitForDataAsync(GatewayHost host, string key, string site, string quantity, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (status, body, _) = await host.GetAsync($"/api/v1/series?site={site}&quantity={quantity}&window=1m&agg=count", key);
            var n = status == 200 ? body!.RootElement.GetProperty("series").EnumerateArray().Sum(s => s.GetProperty("points").EnumerateArray().Sum(p => p[1].GetDouble())) : 0;
            if (n >= count)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"only {n} of {count} readings of {site} reached InfluxDB");
            await Task.Delay(200);
        }
    }

    internal static string ScreenshotDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IoTMonitor.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}
