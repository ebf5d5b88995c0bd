using System.Globalization;
using System.Text.Json;
using IoTMonitor.Gateway.Api.Tests.Support;
using Microsoft.Playwright;

namespace IoTMonitor.Gateway.Api.Tests.Browser;

/// <summary>
/// The flash-flood views of the dashboard against a real gateway fed over MQTT (InfluxDB from the
/// fixture, headless Chromium): a site watched under <c>Alerts:FlashFlood:Sites</c> whose gauge reports
/// a 3 h storm as <c>rain.total</c> and whose stream rises past its prepare-to-evacuate water level.
/// The site list carries each site's flood level; the site page draws the rain of each interval as bars
/// (mm) with the level as a line (m) and the two warning levels; the overview and the map say
/// 准备转移 / "Prepare to evacuate". Screenshots go to TestResults/screenshots.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class FloodDashboardTests(ApiFixture fixture)
{
    private const string Watched = "shanhong-shangba";
    private const string Plain = "yellow-lanzhou-up";
    private const double LevelPrepare = 1.8;
    private const double LevelImmediate = 2.4;

    [Fact]
    public async Task Site_list_carries_the_flood_level_and_the_flood_state_its_warning_water_levels()
    {
        await using var host = await StartAsync();
        var (op, total) = await StormAsync(host);

        var (status, body, text) = await host.GetAsync("/api/v1/sites", op);
        Assert.Equal(200, status);
        var sites = body!.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal("prepare", sites[Watched].GetProperty("flood").GetString());
        Assert.Equal(JsonValueKind.Null, sites[Plain].GetProperty("flood").ValueKind); // not watched: no level, not "none"
        (status, body, text) = await host.GetAsync($"/api/v1/sites/{Watched}", op);
        Assert.Equal("prepare", body!.RootElement.GetProperty("site").GetProperty("flood").GetString());

        (status, body, text) = await host.GetAsync($"/api/v1/sites/{Watched}/flood", op);
        Assert.True(status == 200, text);
        var flood = body!.RootElement;
        Assert.Equal("prepare", flood.GetProperty("level").GetString());
        Assert.Equal(LevelPrepare, flood.GetProperty("levelPrepare").GetDouble());
        Assert.Equal(LevelImmediate, flood.GetProperty("levelImmediate").GetDouble());
        Assert.Equal(total, Math.Round(flood.GetProperty("increments").EnumerateArray().Sum(i => i.GetProperty("millimetres").GetDouble()), 1));
    }

    [Fact]
    public async Task Rain_bars_level_line_and_warning_levels_show_on_the_site_page_and_the_overview_in_both_languages()
    {
        Assert.True(File.Exists(DashboardTests.Chromium), $"{DashboardTests.Chromium} is missing: scripts/install-deps.sh --browser installs it");
        await using var host = await StartAsync();
        var (op, total) = await StormAsync(host);
        var shots = Screenshots();

        await using var browser = await DashboardSession.OpenAsync(host, op);
        var page = browser.Page;
        foreach (var (lang, prepare, column, levelAxis, rainAxis) in new[]
        {
            ("en", "Prepare to evacuate", "Flash flood", "Water level (m)", "Rainfall (mm)"),
            ("zh", "准备转移", "山洪预警", "水位 (m)", "降雨量 (mm)"),
        })
        {
            await page.EvaluateAsync("() => { location.hash = '#/'; }");
            await page.SelectOptionAsync("#lang", lang);
            await page.WaitForSelectorAsync($".overview[data-lang='{lang}'][data-flood='true'] tr.site-row");

            // overview: the column, the watched site's level as a badge, a dash for the site not watched
            Assert.Contains(column, await page.Locator("#sites thead").TextContentAsync(), StringComparison.Ordinal);
            var badge = page.Locator($"tr.site-row[data-site='{Watched}'] td.flood .badge");
            Assert.Equal("prepare", await badge.GetAttributeAsync("data-flood"));
            Assert.Equal(prepare, (await badge.TextContentAsync())!.Trim());
            Assert.Equal("–", (await page.Locator($"tr.site-row[data-site='{Plain}'] td.flood").TextContentAsync())!.Trim());

            // map: the chip beside the marker and the marker's title
            var marker = page.Locator($".site-marker[data-site='{Watched}']");
            await marker.WaitForAsync();
            Assert.Equal("prepare", await marker.GetAttributeAsync("data-flood"));
            Assert.Equal(lang == "zh" ? "准备转移" : "Prepare", (await marker.Locator(".flood-chip.prepare").TextContentAsync())!.Trim());
            Assert.Contains(prepare, await marker.GetAttributeAsync("title"), StringComparison.Ordinal);
            Assert.Null(await page.Locator($".site-marker[data-site='{Plain}']").GetAttributeAsync("data-flood"));
            // every cell ends inside the card, nothing behind its scroll bar
            var widths = await page.EvaluateAsync<double[]>(@"() => {
                const card = document.querySelector('#sites').closest('.card'), r = card.getBoundingClientRect();
                const right = Math.max(...[...card.querySelectorAll('th, td')].map((c) => c.getBoundingClientRect().right));
                return [right, r.right - card.clientLeft, card.scrollWidth, card.clientWidth];
              }");
            Assert.True(widths[0] <= widths[1] && widths[2] <= widths[3], $"with the flood column the overview table's cells end at {widths[0]:0} px in a card ending at {widths[1]:0} px (scroll {widths[2]:0} of {widths[3]:0})");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"flood-{lang}-overview.png") });

            // site page: rain bars (mm) and level line (m) with both warning levels
            await page.EvaluateAsync("s => { location.hash = '#/site/' + s; }", Watched);
            var chart = page.Locator("#flood .flood-chart[data-rain-bars]");
            await chart.WaitForAsync();
            Assert.True(int.Parse((await chart.GetAttributeAsync("data-rain-bars"))!, CultureInfo.InvariantCulture) >= 10, "a bar for each 10 min of the 3 h storm that had rain");
            Assert.Equal(total, double.Parse((await chart.GetAttributeAsync("data-rain-total"))!, CultureInfo.InvariantCulture), 1);
            Assert.InRange(int.Parse((await chart.GetAttributeAsync("data-level-points"))!, CultureInfo.InvariantCulture), 18, 20); // 37 readings, 5 min apart, as 10 min means
            Assert.Equal($"prepare:{LevelPrepare.ToString(CultureInfo.InvariantCulture)} immediate:{LevelImmediate.ToString(CultureInfo.InvariantCulture)}", await chart.GetAttributeAsync("data-warnings"));
            var axes = (await chart.GetAttributeAsync("data-axes"))!.Split(" | ");
            Assert.Equal(rainAxis, axes[1]);
            Assert.Equal(levelAxis, axes[2]);
            var legend = await chart.Locator(".u-legend").TextContentAsync();
            Assert.Contains(lang == "zh" ? "毫米/10 min" : "mm per 10 min", legend, StringComparison.Ordinal);
            var notes = await page.Locator("#flood .flood-notes").TextContentAsync();
            Assert.Contains(lang == "zh" ? "准备转移水位 1.80 m" : "prepare to evacuate level 1.80 m", notes, StringComparison.Ordinal);
            Assert.Contains(lang == "zh" ? "立即转移水位 2.40 m" : "evacuate immediately level 2.40 m", notes, StringComparison.Ordinal);
            Assert.Equal(prepare, (await page.Locator("#flood h2 .badge[data-flood='prepare']").TextContentAsync())!.Trim());

            // hovering the newest interval shows its rain in mm and its level in m
            var plot = (await chart.Locator(".u-over").BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.995f), plot.Y + (plot.Height / 2));
            var values = await chart.Locator(".u-legend .u-series .u-value").AllTextContentsAsync();
            Assert.Contains(values, v => v.EndsWith(" mm", StringComparison.Ordinal)); // the bar and the level of one interval share its time
            Assert.Contains(values, v => v.EndsWith(" m", StringComparison.Ordinal));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"flood-{lang}-site.png"), FullPage = true });
        }

        Assert.Empty(browser.Errors);
        Assert.Empty(browser.External);
    }

    private Task<GatewayHost> StartAsync() => GatewayHost.StartAsync(
        fixture.Influx,
        "--Alerts:LiveWindowSeconds=172800", // the 3 h storm is published at once: its readings count as live
        $"--Alerts:FlashFlood:Sites:{Watched}:Prepare:60=20",
        $"--Alerts:FlashFlood:Sites:{Watched}:Immediate:60=50",
        $"--Alerts:FlashFlood:Sites:{Watched}:LevelPrepare={LevelPrepare.ToString(CultureInfo.InvariantCulture)}",
        $"--Alerts:FlashFlood:Sites:{Watched}:LevelImmediate={LevelImmediate.ToString(CultureInfo.InvariantCulture)}",
        $"--Alerts:FlashFlood:Sites:{Watched}:Source=test site figures",
        $"--Alerts:FlashFlood:Sites:{Watched}:Targets:0:Name=Shangba village");

    // the watched site: a gauge's running total every 5 min over 3 h, rain peaking at 3 mm per 5 min
    // two hours in (whole 0.2 mm tips), and the stream rising with it from 1.2 m to 2.0 m — past the
    // prepare level (1.8 m) and 60 min rain ≥ 20 mm, under every evacuate-immediately figure; one
    // ordinary site beside it
    private static async Task<(string Operator, double Total)> StormAsync(GatewayHost host)
    {
        var op = await host.CreateKeyAsync("flood desk", "operator");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 300 * 300;
        var increments = Enumerable.Range(0, 37).Select(i => i == 0 ? 0 : Math.Round(3.0 * Math.Max(0, 1 - (Math.Abs(i - 24) / 18.0)) / 0.2) * 0.2).ToArray();
        var totals = new double[increments.Length];
        for (var i = 0; i < increments.Length; i++)
        {
            totals[i] = Math.Round((i > 0 ? totals[i - 1] : 0) + increments[i], 1);
        }

        var total = totals[^1];
        var secrets = await host.AddSiteAsync(Watched, 30.5, 114.3, "Yangtze", "river", "ss-1");
        await host.AdminAsync(HttpMethod.Put, $"/api/v1/sites/{Watched}", new { name = "上坝村雨量水位站", lat = 30.5, lon = 114.3, basin = "Yangtze", type = "river" });
        var plain = await host.AddSiteAsync(Plain, 36.06, 103.83, "Yellow River", "river", "yl-1");
        await using (var gauge = await TelemetryPublisher.ConnectAsync(host.MqttPort, Watched, "ss-1", secrets["ss-1"]))
        {
            var readings = totals.SelectMany((mm, i) => new[]
            {
                (T: now - ((36 - i) * 300), Quantity: "rain.total", Value: mm, Flags: 0L),
                (T: now - ((36 - i) * 300), Quantity: "water.level", Value: Math.Round(1.2 + (0.8 * mm / total), 3), Flags: 0L),
            }).ToList();
            foreach (var batch in readings.Chunk(24))
            {
                await gauge.PublishAsync(batch);
            }
        }

        await using (var other = await TelemetryPublisher.ConnectAsync(host.MqttPort, Plain, "yl-1", plain["yl-1"]))
        {
            await other.PublishAsync([(now, "water.do", 7.5, 0L)]);
        }

        await DashboardTests.WaitForDataAsync(host, op, Watched, "water.level", 37);
        await DashboardTests.WaitForDataAsync(host, op, Plain, "water.do", 1);
        await host.WaitForAlertAsync(Watched, op);
        return (op, total);
    }

    private static string Screenshots()
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
