using IoTMonitor.Gateway.Api.Tests.Support;
using Microsoft.Playwright;

namespace IoTMonitor.Gateway.Api.Tests.Browser;

/// <summary>
/// What an analyst needs to read the dashboard at a glance, in headless Chromium against a gateway fed
/// over MQTT: the one critical site's marker is visible and drawn above a healthy site a few km away,
/// charts carry the quantity's name, unit and time zone with the rule's limits, nothing runs off a
/// 390 px screen with the status in view, every column shows at 1280 px, a viewer key is shown no
/// write control, and Chinese text is drawn with real glyphs (fonts-noto-cjk), not missing-glyph boxes.
/// Screenshots at 1280×800 and 390×844 in both languages go to TestResults/screenshots.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class DashboardReadabilityTests(ApiFixture fixture)
{
    private const string NotoCjk = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
    private const string Critical = "yellow-lanzhou-up";
    private const string Healthy = "yellow-lanzhou-down";

    [Fact]
    public async Task Dashboard_reads_at_a_glance_in_both_languages_at_phone_and_desktop_width()
    {
        Assert.True(File.Exists(DashboardTests.Chromium), $"{DashboardTests.Chromium} is missing: scripts/install-deps.sh --browser installs it");
        Assert.True(File.Exists(NotoCjk), $"{NotoCjk} is missing: scripts/install-deps.sh --browser installs fonts-noto-cjk");
        await using var host = await GatewayHost.StartAsync(fixture.Influx);
        var (op, viewer) = await FleetAsync(host);
        var shots = ScreenshotDir();

        await using var browser = await DashboardSession.OpenAsync(host, op);
        var page = browser.Page;

        // --- map: the critical site is drawn above the healthy one 3 km south of it (Leaflet alone would
        // put the southern marker on top), and while zoomed out the cluster shows the worst status
        await page.WaitForSelectorAsync("#map[data-placed='6'] .leaflet-marker-icon");
        await page.WaitForSelectorAsync("#map[data-basemap]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.True(int.TryParse(await page.GetAttributeAsync("#map", "data-basemap"), out var countries) && countries > 30, "the Natural Earth borders are drawn from the gateway's own copy");
        Assert.Equal(1, await page.Locator(".site-cluster.critical").CountAsync());
        Assert.Equal("2", await page.Locator(".site-cluster.critical b").TextContentAsync());
        Assert.Equal(
            "critical",
            await page.EvaluateAsync<string>(@"() => {
                const r = document.querySelector('.site-cluster.critical').getBoundingClientRect();
                return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2).closest('.site-cluster').classList.contains('critical') ? 'critical' : 'covered';
            }"));
        await page.EvaluateAsync("([lat, lon]) => { document.querySelector('#map')._state.map.setView([lat, lon], 9, { animate: false }); }", new[] { 36.06, 103.83 });
        var critical = page.Locator($".site-marker[data-site='{Critical}']");
        var healthy = page.Locator($".site-marker[data-site='{Healthy}']");
        await critical.WaitForAsync();
        await healthy.WaitForAsync();
        var c = (await critical.BoundingBoxAsync())!;
        var h = (await healthy.BoundingBoxAsync())!;
        Assert.True(c.X < h.X + h.Width && h.X < c.X + c.Width && c.Y < h.Y + h.Height && h.Y < c.Y + c.Height, $"the two markers should overlap at zoom 9 (critical {c.X},{c.Y}; ok {h.X},{h.Y})");
        var overlapX = (Math.Max(c.X, h.X) + Math.Min(c.X + c.Width, h.X + h.Width)) / 2;
        var overlapY = (Math.Max(c.Y, h.Y) + Math.Min(c.Y + c.Height, h.Y + h.Height)) / 2;
        Assert.Equal(Critical, await page.EvaluateAsync<string>("(p) => document.elementFromPoint(p.x, p.y)?.closest('.site-marker')?.dataset.site ?? 'nothing'", new { x = (double)overlapX, y = (double)overlapY }));
        Assert.Equal(2, await critical.Locator("svg.shape.critical path").CountAsync()); // the triangle and its "!": shape, not colour alone
        Assert.Equal(1, await healthy.Locator("svg.shape.ok circle").CountAsync());
        await page.ClickAsync($".site-marker[data-site='{Critical}']");
        await page.WaitForSelectorAsync("#downlink .updated:not(:empty)");
        Assert.EndsWith($"#/site/{Critical}", page.Url, StringComparison.Ordinal);

        // --- a chart: quantity name, unit, zone, limits of the site's rule, legend per device, flagged marks
        var chart = page.Locator(".chart[data-quantity='water.do']");
        await page.WaitForSelectorAsync(".chart[data-quantity='water.do'][data-points]");
        Assert.Equal("mg/L", await chart.GetAttributeAsync("data-unit"));
        Assert.Equal("UTC+8", await chart.GetAttributeAsync("data-zone"));
        var title = await page.Locator(".chart-card:has(.chart[data-quantity='water.do']) .chart-title").TextContentAsync();
        Assert.Contains("Dissolved oxygen", title, StringComparison.Ordinal);
        Assert.Contains("(mg/L)", title, StringComparison.Ordinal);
        Assert.Contains("below 3.00 mg/L · Dissolved oxygen too low (test)", await page.Locator(".chart-card:has(.chart[data-quantity='water.do']) .chart-limits").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("yl-1", await chart.Locator(".u-legend").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("UTC+8", await page.Locator("#ranges").TextContentAsync(), StringComparison.Ordinal);
        var plot = (await chart.Locator(".u-over").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.9f), plot.Y + (plot.Height / 2));
        var hovered = await chart.Locator(".u-legend .u-series").First.Locator(".u-value").TextContentAsync();
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d$", hovered);
        // the time shown is China's: switching the zone to UTC moves it back 8 hours
        var shownUtc8 = DateTime.ParseExact(hovered!, "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        await page.SelectOptionAsync("#zone", "UTC");
        await page.WaitForSelectorAsync(".chart[data-quantity='water.do'][data-zone='UTC']");
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.9f), plot.Y + (plot.Height / 2));
        var shownUtc = DateTime.ParseExact((await page.Locator(".chart[data-quantity='water.do'] .u-legend .u-series").First.Locator(".u-value").TextContentAsync())!, "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange((shownUtc8 - shownUtc).TotalMinutes, 8 * 60 - 30, 8 * 60 + 30);
        await page.SelectOptionAsync("#zone", "Asia/Shanghai");
        await page.WaitForSelectorAsync(".chart[data-quantity='water.do'][data-zone='UTC+8']");

        // the operator sees acknowledge and resolve, with the alert in words
        var alertRow = page.Locator("tr.alert-row").First;
        Assert.Contains("Dissolved oxygen too low (test)", await alertRow.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await alertRow.Locator("button.ack").CountAsync());
        Assert.Equal(1, await alertRow.Locator("button.resolve").CountAsync());

        // flagged readings (time estimated) on another site's chart
        await page.EvaluateAsync("() => { location.hash = '#/site/heihe-zhangye'; }");
        await page.WaitForSelectorAsync(".chart[data-quantity='water.ph'][data-points]");
        Assert.Equal("1", await page.Locator(".chart[data-quantity='water.ph']").GetAttributeAsync("data-flagged"));
        Assert.Contains("surface", (await page.Locator(".chart-card:has(.chart[data-quantity='water.ph']) .chart-limits").TextContentAsync())!.ToLowerInvariant(), StringComparison.Ordinal);

        // --- both languages, both widths: layouts that fit, screenshots
        foreach (var lang in new[] { "en", "zh" })
        {
            await page.EvaluateAsync("() => { location.hash = '#/'; }");
            await page.SelectOptionAsync("#lang", lang);
            await page.WaitForSelectorAsync($".overview[data-lang='{lang}'] tr.site-row");
            await page.SetViewportSizeAsync(1280, 800);
            await page.WaitForSelectorAsync("#map[data-placed='6'][data-basemap] .leaflet-marker-icon");
            await FitsAsync(page, "#sites", "the overview table at 1280 px");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"readable-{lang}-1280-overview.png") });
            await page.SetViewportSizeAsync(390, 844);
            await NoSidewaysScrollAsync(page, $"overview ({lang})");
            await InViewAsync(page, "tr.site-row .badge", 6);
            await InViewAsync(page, "tr.site-row td.last-seen", 6);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"readable-{lang}-390-overview.png"), FullPage = true });

            await page.EvaluateAsync("s => { location.hash = '#/site/' + s; }", Critical);
            await page.WaitForSelectorAsync(".chart[data-quantity='water.do'][data-points]");
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#devices .completeness')].every((td) => !td.textContent.includes('…'))");
            await NoSidewaysScrollAsync(page, $"site page ({lang})");
            await InViewAsync(page, "#devices tr[data-device] .completeness", 1);
            await InViewAsync(page, "tr.alert-row td.name", 1);
            await InViewAsync(page, "tr.alert-row button.ack", 1);
            await InViewAsync(page, "h1.site-title .badge", 1);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"readable-{lang}-390-site.png"), FullPage = true });
            await page.SetViewportSizeAsync(1280, 800);
            await FitsAsync(page, "#devices", "the device table at 1280 px");
            await FitsAsync(page, "#alerts table", "the alert table at 1280 px");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"readable-{lang}-1280-site.png"), FullPage = true });
        }

        // --- Chinese: the words come from the zh table and the rule pack's nameZh, drawn with CJK glyphs
        Assert.Equal("zh-CN", await page.EvaluateAsync<string>("() => document.documentElement.lang"));
        Assert.Contains("溶解氧", await page.Locator(".chart-card:has(.chart[data-quantity='water.do']) .chart-title").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("溶解氧过低(测试)", await page.Locator("tr.alert-row td.name").First.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("确认", await page.Locator("tr.alert-row button.ack").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("兰州上游断面", await page.Locator("h1.site-title").TextContentAsync(), StringComparison.Ordinal); // the name as entered
        // the operator's command and config forms, their states and the reasons are Chinese too
        var downlink = page.Locator("#downlink section.downlink").First;
        Assert.Equal("重启…", (await downlink.Locator(".command-form select[name=cmd] option[value=reboot]").TextContentAsync())!.Trim());
        Assert.Equal("设置采样间隔", (await downlink.Locator(".command-form select[name=cmd] option[value=set_interval]").TextContentAsync())!.Trim());
        Assert.Equal("发送", (await downlink.Locator(".command-form button[type=submit]").TextContentAsync())!.Trim());
        Assert.Contains("采样间隔", await downlink.Locator(".interval-form label").First.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("上传间隔", await downlink.Locator(".interval-form label").Nth(1).TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("应用", (await downlink.Locator(".interval-form button[type=submit]").TextContentAsync())!.Trim());
        Assert.Equal("烧录值", await downlink.Locator(".interval-form input[name=sampleSec]").GetAttributeAsync("placeholder"));
        Assert.Contains("无远程配置", await downlink.Locator(".config-state").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("尚未发送命令", await downlink.Locator(".command-list").TextContentAsync(), StringComparison.Ordinal);
        await downlink.Locator(".command-form select[name=cmd]").SelectOptionAsync("reboot");
        await downlink.Locator(".command-form button[type=submit]").ClickAsync();
        Assert.Contains("设备在下次连接收到命令时重启", await downlink.Locator(".confirm-text").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("取消", (await downlink.Locator(".confirm-no").TextContentAsync())!.Trim());
        await downlink.Locator(".confirm-no").ClickAsync();
        Assert.Contains("告警:溶解氧过低(测试)(yl-1)", await page.Locator("ul.reasons").TextContentAsync(), StringComparison.Ordinal);
        var latin = await page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('#downlink label, #downlink button, #downlink th, #downlink .config-line, #downlink option, ul.reasons li')]
            .map((e) => e.textContent.replace(/<[^>]+>/g, '').trim()).filter((s) => /\b(sample|upload|send|apply|cancel|pending|queued|battery|never|alert)\b/i.test(s.replace(/sampleSec|uploadSec|set_interval|clear_queue/g, '')))");
        Assert.True(latin.Length == 0, "English words left on the Chinese site page: " + string.Join(" | ", latin));
        var glyphs = await page.EvaluateAsync<string[]>(@"(chars) => {
            const c = document.createElement('canvas'); c.width = 48; c.height = 48;
            const x = c.getContext('2d', { willReadFrequently: true });
            const font = getComputedStyle(document.querySelector('h1.site-title')).fontFamily;
            const sig = (ch) => {
              x.clearRect(0, 0, 48, 48); x.font = `36px ${font}`; x.fillStyle = '#000'; x.fillText(ch, 4, 38);
              const d = x.getImageData(0, 0, 48, 48).data; let hash = 0, ink = 0;
              for (let i = 3; i < d.length; i += 4) { hash = (hash * 31 + d[i]) | 0; if (d[i] > 127) ink++; }
              return `${hash}:${ink}`;
            };
            return [sig('\u0378'), ...chars.map(sig)];
          }", new[] { "溶", "解", "氧", "站", "点", "严", "重" });
        var missing = glyphs[0];
        Assert.All(glyphs.Skip(1), g => Assert.NotEqual(missing, g));
        Assert.All(glyphs.Skip(1), g => Assert.NotEqual("0", g.Split(':')[1]));
        Assert.Equal(glyphs.Length - 1, glyphs.Skip(1).Distinct().Count()); // seven different characters, seven different drawings
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("h1.site-title");
        Assert.Equal("zh", await page.InputValueAsync("#lang")); // the switch is remembered

        // --- a browser whose language is Chinese opens in Chinese; a viewer key sees no write control
        await using var viewerBrowser = await DashboardSession.OpenAsync(host, viewer, locale: "zh-CN");
        var vp = viewerBrowser.Page;
        Assert.Contains("站点", await vp.Locator("h1").First.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("严重", (await vp.Locator($"tr.site-row[data-site='{Critical}'] .badge").TextContentAsync())!.Trim());
        // reasons worded from their codes: low battery, never heard
        Assert.Contains("ql-1:电池电压低 3.20 V", await vp.Locator("tr.site-row[data-site='qinghai-lake'] .reasons").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("ta-1:从未上报", await vp.Locator("tr.site-row[data-site='tarim-alar'] .reasons").TextContentAsync(), StringComparison.Ordinal);
        await viewerBrowser.OpenSiteAsync(Critical);
        await vp.WaitForSelectorAsync("tr.alert-row");
        Assert.Contains("溶解氧过低(测试)", await vp.Locator("tr.alert-row").First.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await vp.Locator("button.ack, button.resolve, #downlink form, .command-form, .interval-form").CountAsync());
        Assert.Equal(1, await vp.Locator("#downlink .readonly").CountAsync());
        await vp.SetViewportSizeAsync(390, 844);
        await vp.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "readable-zh-390-site-viewer.png"), FullPage = true });

        Assert.Empty(browser.Errors);
        Assert.Empty(browser.External);
        Assert.Empty(viewerBrowser.Errors);
        Assert.Empty(viewerBrowser.External);
    }

    // six sites: a critical one (a rule with a Chinese name, crossed) with a healthy one 3 km south, a
    // warning (low battery), an offline (never heard), a site with a flagged reading, one more ok
    private static async Task<(string Operator, string Viewer)> FleetAsync(GatewayHost host)
    {
        var fleet = new (string Site, string Name, double Lat, double Lon, string Basin, string Type, string Device, string Quantity, double Base, double Battery)[]
        {
            (Critical, "兰州上游断面", 36.06, 103.83, "Yellow River", "river", "yl-1", "water.do", 7.5, 3.95),
            (Healthy, "兰州下游断面", 36.05, 103.86, "Yellow River", "river", "yl-2", "water.do", 8.1, 3.95),
            ("heihe-zhangye", "Heihe Zhangye", 38.93, 100.45, "Heihe", "river", "hz-1", "water.ph", 7.6, 3.95),
            ("qinghai-lake", "青海湖 Bird Island", 36.9, 100.2, "Qinghai Lake", "wetland", "ql-1", "water.temp", 8, 3.2),
            ("poyang-duchang", "鄱阳湖都昌", 29.27, 116.2, "Yangtze", "lake", "pd-1", "water.turbidity", 12, 3.9),
            ("tarim-alar", "Tarim Alar", 40.55, 81.28, "Tarim", "irrigation_district", "ta-1", "soil.moisture", 23, 3.9),
        };
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60;
        var op = await host.CreateKeyAsync("duty desk", "operator");
        var viewer = await host.CreateKeyAsync("river chief office", "viewer");
        await host.AdminAsync(HttpMethod.Post, "/api/v1/alert-rules", new { id = "test.do.low", name = "Dissolved oxygen too low (test)", nameZh = "溶解氧过低(测试)", kind = "threshold", quantity = "water.do", severity = "critical", below = 3.0, scope = new { sites = new[] { Critical } }, source = "site-specific (test)" });
        foreach (var f in fleet)
        {
            var secrets = await host.AddSiteAsync(f.Site, f.Lat, f.Lon, f.Basin, f.Type, f.Device);
            await host.AdminAsync(HttpMethod.Put, $"/api/v1/sites/{f.Site}", new { name = f.Name, lat = f.Lat, lon = f.Lon, basin = f.Basin, type = f.Type });
            if (f.Site == "tarim-alar")
            {
                continue; // registered, never heard: offline
            }

            await using var device = await TelemetryPublisher.ConnectAsync(host.MqttPort, f.Site, f.Device, secrets[f.Device]);
            // 6 h every 5 min; heihe's 40th reading has its time estimated by the node (flag 32)
            var readings = Enumerable.Range(0, 72).Select(i => (T: now - ((71 - i) * 300), Quantity: f.Quantity, Value: Math.Round(f.Base + (0.4 * Math.Sin(i / 6.0)), 2), Flags: f.Site == "heihe-zhangye" && i == 40 ? 32L : 0L)).ToList();
            foreach (var batch in readings.Chunk(24))
            {
                await device.PublishAsync(batch, battery: f.Battery, backlog: 0);
            }

            if (f.Site == Critical)
            {
                await device.PublishAsync([(Math.Max(now + 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds()), "water.do", 1.6, 0L)], battery: f.Battery, backlog: 0);
            }
        }

        await DashboardTests.WaitForDataAsync(host, op, Critical, "water.do", 72);
        await DashboardTests.WaitForDataAsync(host, op, "heihe-zhangye", "water.ph", 72);
        await host.WaitForAlertAsync(Critical, op);
        return (op, viewer);
    }

    private static async Task NoSidewaysScrollAsync(IPage page, string what)
    {
        var width = await page.EvaluateAsync<int>("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)");
        Assert.True(width <= 390, $"{what} is {width} px wide on a 390 px screen");
    }

    // at least n elements match, and every one lies inside the 390 px width
    private static async Task InViewAsync(IPage page, string selector, int n)
    {
        var boxes = await page.EvaluateAsync<double[][]>("(s) => [...document.querySelectorAll(s)].map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.width]; })", selector);
        Assert.True(boxes.Length >= n, $"{selector}: {boxes.Length} shown, {n} expected");
        Assert.All(boxes, b => Assert.True(b[0] >= 0 && b[1] <= 390 && b[2] > 0, $"{selector} spans {b[0]:0}–{b[1]:0} px of a 390 px screen"));
    }

    // a table shows every column inside its card (nothing hidden behind a scroll bar)
    private static async Task FitsAsync(IPage page, string table, string what)
    {
        var w = await page.EvaluateAsync<int[]>("(s) => { const t = document.querySelector(s); const c = t.closest('.card'); return [t.scrollWidth, c.clientWidth]; }", table);
        var (tableWidth, cardWidth) = (w[0], w[1]);
        Assert.True(tableWidth <= cardWidth, $"{what}: the table is {tableWidth} px wide in a {cardWidth} px card");
    }

    private static string ScreenshotDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IoTMonitor.sln")))
        {
            dir = dir.Parent;
        }

        // IOTMON_SCREENSHOTS puts them elsewhere (e.g. /tmp/shots to look at them outside the checkout)
        var path = Environment.GetEnvironmentVariable("IOTMON_SCREENSHOTS") is { Length: > 0 } chosen ? chosen : Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}
