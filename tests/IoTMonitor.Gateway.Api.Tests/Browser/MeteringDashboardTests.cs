using System.Globalization;
using IoTMonitor.Gateway.Api.Tests.Support;
using Microsoft.Playwright;

namespace IoTMonitor.Gateway.Api.Tests.Browser;

/// <summary>
/// The water-metering page of the dashboard against a real gateway fed over MQTT (InfluxDB from the
/// fixture, headless Chromium): a district of two channels carrying the known hydrograph
/// Q(t) = 0.5 + 0.3·sin(2πt/1 d) m³/s over the last day — one measured as the stage over a 2 ft
/// Parshall flume, one by a flow meter's totaliser — with every 7th reading lost. Each channel shows its
/// mean flow per hour and its cumulative volume, the total with its completeness beside it and the
/// allocation's use, in Chinese and English. Screenshots go to TestResults/screenshots.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class MeteringDashboardTests(ApiFixture fixture)
{
    private const long Day = 86400;
    private const double Zero = 0.100;

    private static double FlumeHa(double q) => 0.3048 * Math.Pow(q / (8.0 * 0.028316846592), 1 / 1.55);

    [Fact]
    public async Task Each_channel_shows_its_flow_and_cumulative_volume_with_completeness_in_both_languages()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var t0 = now - Day;
        double Q(long t) => 0.5 + (0.3 * Math.Sin(2 * Math.PI * (t - t0) / Day));
        double Integral(long a, long b) => (0.5 * (b - a)) + (0.3 * Day / (2 * Math.PI) * (Math.Cos(2 * Math.PI * (a - t0) / Day) - Math.Cos(2 * Math.PI * (b - t0) / Day)));

        await using var host = await GatewayHost.StartAsync(
            fixture.Influx,
            "--Query:CacheWarmDays=0",
            "--Metering:Sites:tn-1:Device=tn1-level",
            "--Metering:Sites:tn-1:Ratings:0:Id=rating-2ft",
            $"--Metering:Sites:tn-1:Ratings:0:At={t0 - Day}",
            "--Metering:Sites:tn-1:Ratings:0:Kind=parshall",
            "--Metering:Sites:tn-1:Ratings:0:Throat=2ft",
            $"--Metering:Sites:tn-1:Ratings:0:Zero={Zero.ToString(CultureInfo.InvariantCulture)}",
            "--Metering:Sites:tn-2:Source=meter",
            "--Metering:Sites:tn-2:Device=tn2-meter",
            "--Metering:Districts:d-7:Name=Qingshui district",
            "--Metering:Districts:d-7:Channels:ch-1:Name=Main canal",
            "--Metering:Districts:d-7:Channels:ch-1:Sites:0=tn-1",
            "--Metering:Districts:d-7:Channels:ch-2:Name=North lateral",
            "--Metering:Districts:d-7:Channels:ch-2:Sites:0=tn-2",
            "--Metering:Districts:d-7:Channels:ch-2:Allocations:0:Id=round-3",
            $"--Metering:Districts:d-7:Channels:ch-2:Allocations:0:From={t0 - Day}",
            $"--Metering:Districts:d-7:Channels:ch-2:Allocations:0:To={now + (5 * Day)}",
            "--Metering:Districts:d-7:Channels:ch-2:Allocations:0:Volume=80000");
        var viewer = await host.CreateKeyAsync("district office", "viewer");
        var level = await host.AddSiteAsync("tn-1", 38.0, 106.2, "Yellow River", "canal", "tn1-level");
        var meter = await host.AddSiteAsync("tn-2", 38.1, 106.3, "Yellow River", "canal", "tn2-meter");

        // every 15 min from 30 min into the day to 10 min ago, every 7th lost
        var times = Enumerable.Range(0, 94).Select(i => t0 + 1800 + (i * 900L)).Where(t => t <= now - 600).Where((_, i) => i % 7 != 3).ToList();
        await using (var l = await TelemetryPublisher.ConnectAsync(host.MqttPort, "tn-1", "tn1-level", level["tn1-level"]))
        await using (var m = await TelemetryPublisher.ConnectAsync(host.MqttPort, "tn-2", "tn2-meter", meter["tn2-meter"]))
        {
            foreach (var chunk in times.Chunk(12))
            {
                await l.PublishAsync([.. chunk.Select(t => (t, "water.level", Math.Round(Zero + FlumeHa(Q(t)), 3), 0L))]);
                await m.PublishAsync([.. chunk.Select(t => (t, "flow.total", Math.Round(2000 + Integral(t0, t), 3), 0L))]);
            }
        }

        await DashboardTests.WaitForDataAsync(host, viewer, "tn-1", "water.level", times.Count);
        await DashboardTests.WaitForDataAsync(host, viewer, "tn-2", "flow.total", times.Count);
        var expected = Integral(times[0], times[^1]);
        var coveredShare = (double)(times[^1] - times[0]) / Day;

        await using var browser = await DashboardSession.OpenAsync(host, viewer);
        var page = browser.Page;
        var shots = Screenshots();
        foreach (var (lang, nav, flowAxis, volumeAxis, legend, coverage) in new[]
        {
            ("en", "Water metering", "Flow (m³/s)", "Cumulative volume (m³)", "Mean flow per hour (m³/s)", "Completeness"),
            ("zh", "用水计量", "流量 (m³/s)", "累计水量 (m³)", "每小时平均流量(m³/s)", "数据完整率"),
        })
        {
            await page.EvaluateAsync("() => { location.hash = '#/'; }");
            await page.SelectOptionAsync("#lang", lang);
            var link = page.Locator("header nav a[href='#/metering']");
            Assert.Equal(nav, (await link.TextContentAsync())!.Trim());
            await link.ClickAsync();
            await page.WaitForSelectorAsync($".metering[data-lang='{lang}'][data-district='d-7'] .channel-card .metering-chart[data-cumulative]");
            Assert.Contains(lang == "zh" ? "用水计量:Qingshui district" : "Water metering: Qingshui district", await page.Locator(".metering h1").TextContentAsync(), StringComparison.Ordinal);

            foreach (var (channel, name, tolerance) in new[] { ("ch-1", "Main canal", expected * 0.005), ("ch-2", "North lateral", 0.01) })
            {
                var card = page.Locator($".channel-card[data-channel='{channel}']");
                Assert.Equal(name, (await card.Locator("h2").TextContentAsync())!.Trim());
                var chart = card.Locator(".metering-chart");
                var cumulative = double.Parse((await chart.GetAttributeAsync("data-cumulative"))!, CultureInfo.InvariantCulture);
                var total = double.Parse((await card.Locator(".totals .total").GetAttributeAsync("data-volume"))!, CultureInfo.InvariantCulture);
                Assert.Equal(total, cumulative, 3); // the curve ends at the total beside it
                Assert.True(Math.Abs(cumulative - expected) <= tolerance, $"{channel}: {cumulative} m³ on the page vs the integral {expected} m³ between the first and last readings (tolerance {tolerance})");
                var completeness = double.Parse((await card.Locator(".totals .coverage").GetAttributeAsync("data-completeness"))!, CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(completeness - coveredShare) < 0.002, $"{channel}: completeness {completeness} vs {coveredShare}");
                Assert.Contains(coverage, await card.Locator(".totals").TextContentAsync(), StringComparison.Ordinal);
                Assert.InRange(int.Parse((await chart.GetAttributeAsync("data-flow-points"))!, CultureInfo.InvariantCulture), 23, 25);
                var axes = (await chart.GetAttributeAsync("data-axes"))!.Split(" | ");
                Assert.Equal(flowAxis, axes[1]);
                Assert.Equal(volumeAxis, axes[2]);
                Assert.Contains(legend, await chart.Locator(".u-legend").TextContentAsync(), StringComparison.Ordinal);

                // hovering near the end of the day shows that hour's mean flow and the volume so far
                var plot = (await chart.Locator(".u-over").BoundingBoxAsync())!;
                await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.97f), plot.Y + (plot.Height / 2));
                var values = await chart.Locator(".u-legend .u-series .u-value").AllTextContentsAsync();
                Assert.Contains(values, v => v.EndsWith(" m³/s", StringComparison.Ordinal));
                Assert.Contains(values, v => v.EndsWith(" m³", StringComparison.Ordinal));
            }

            var allocation = page.Locator(".channel-card[data-channel='ch-2'] .allocation[data-allocation='round-3']");
            Assert.Contains("80000", await allocation.TextContentAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator(".channel-card[data-channel='ch-1'] .allocation").CountAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"metering-{lang}.png"), FullPage = true });
        }

        Assert.Empty(browser.Errors);
        Assert.Empty(browser.External);
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
