using System.Text.Json;
using IoTMonitor.Gateway.Api.Tests.Support;
using Microsoft.Playwright;

namespace IoTMonitor.Gateway.Api.Tests.Browser;

/// <summary>
/// The site page's remote config and commands (docs/api.md "Remote config and commands", "Dashboard")
/// in headless Chromium against a real gateway: state and history from real API data and real acks
/// published over MQTT as the node's firmware would; an operator's command and config change reaching
/// the API; a 400 shown as the API words it; a viewer without controls and a 403 shown plainly.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class DownlinkDashboardTests(ApiFixture fixture)
{
    private const string Site = "wei-xianyang";

    // the page polls every 10 s; generous, never an exact time
    private static readonly PageWaitForSelectorOptions Refresh = new() { Timeout = 60000 };

    [Fact]
    public async Task Viewer_sees_each_devices_remote_config_state_overlay_and_recent_commands_and_the_page_follows_the_nodes_answers()
    {
        await using var host = await GatewayHost.StartAsync(fixture.Influx);
        var secrets = await host.AddSiteAsync(Site, 34.33, 108.7, "Wei", "river", "wq-0001", "wq-0002");
        var op = await host.CreateKeyAsync("duty desk", "operator");
        var viewer = await host.CreateKeyAsync("water agency", "viewer");

        // wq-0001: an overlay with thresholds and a calibration record, two commands; its node answers
        await WriteAsync(host, HttpMethod.Patch, "/api/v1/devices/wq-0001/config", op, new
        {
            sampleSec = 300,
            uploadSec = 900,
            thresholds = new[] { new { q = "water.level", above = 3.5 } },
            calibrations = new[] { new { sensor = "ph", id = "cal-20261128-ph", kind = "ph", points = new[] { new[] { 1.5213, 7.0 }, new[] { 2.0274, 4.01 } } } },
        });
        var interval = await CommandAsync(host, "wq-0001", op, new { cmd = "set_interval", sec = 600 });
        var sample = await CommandAsync(host, "wq-0001", op, new { cmd = "sample_now" });
        // wq-0002: an overlay its node has not answered yet
        await WriteAsync(host, HttpMethod.Patch, "/api/v1/devices/wq-0002/config", op, new { sampleSec = 120 });

        await using (var node = await TelemetryPublisher.ConnectAsync(host.MqttPort, Site, "wq-0001", secrets["wq-0001"]))
        {
            await node.PublishAckAsync("config/ack", """{"v":1,"rev":1,"ok":false,"err":11}""");
            await node.PublishAckAsync("cmd/ack", $$"""{"v":1,"id":"{{interval}}","ok":true,"err":0}""");
        }

        await PollAsync(host, viewer, "/api/v1/devices/wq-0001/config", d => d.GetProperty("state").GetString() == "rejected");
        await PollAsync(host, viewer, $"/api/v1/devices/wq-0001/commands/{interval}", c => c.GetProperty("state").GetString() == "acked");

        await using var browser = await DashboardSession.OpenAsync(host, viewer);
        var page = browser.Page;
        await browser.OpenSiteAsync(Site);

        var one = page.Locator("#downlink section.downlink[data-device='wq-0001']");
        var two = page.Locator("#downlink section.downlink[data-device='wq-0002']");
        await one.Locator(".config-state [data-state=rejected]").WaitForAsync();
        var state = await one.Locator(".config-state").TextContentAsync();
        Assert.Contains("UnknownSensor", state, StringComparison.Ordinal);
        Assert.Contains("keeps its previous config", state, StringComparison.Ordinal);
        Assert.Equal("1", await one.Locator(".desired-rev").TextContentAsync());
        Assert.Equal("1", await one.Locator(".acked-rev").TextContentAsync());
        Assert.Equal("300 s", await one.Locator("tr[data-key=sampleSec] td").TextContentAsync());
        Assert.Equal("900 s", await one.Locator("tr[data-key=uploadSec] td").TextContentAsync());
        Assert.Equal("water.level above 3.5", await one.Locator("tr[data-key=thresholds] td").TextContentAsync());
        Assert.Equal("cal-20261128-ph", await one.Locator("tr[data-key=calibrations] .cal-id").TextContentAsync());
        Assert.Contains("rejected", await page.Locator("#devices tr[data-device='wq-0001'] .remote-config").TextContentAsync(), StringComparison.Ordinal);

        // newest first: sample_now (queued), then set_interval 600 s (acked)
        var rows = one.Locator("tr.command-row");
        Assert.Equal(2, await rows.CountAsync());
        Assert.Equal(sample, await rows.Nth(0).GetAttributeAsync("data-command"));
        Assert.Equal("queued", await rows.Nth(0).GetAttributeAsync("data-state"));
        Assert.Contains("the node answers when it next connects", await rows.Nth(0).TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(interval, await rows.Nth(1).GetAttributeAsync("data-command"));
        Assert.Equal("acked", await rows.Nth(1).GetAttributeAsync("data-state"));
        var acked = await rows.Nth(1).TextContentAsync();
        Assert.Contains("set_interval", acked, StringComparison.Ordinal);
        Assert.Contains("600 s", acked, StringComparison.Ordinal);
        Assert.Contains("duty desk", acked, StringComparison.Ordinal);

        await two.Locator(".config-state [data-state=pending]").WaitForAsync();
        Assert.Contains("pending — the node answers when it next connects", await two.Locator(".config-state").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("no answer from the node yet", await two.Locator(".config-state").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("120 s", await two.Locator("tr[data-key=sampleSec] td").TextContentAsync());
        Assert.Contains("No commands sent", await two.Locator(".command-list").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#downlink form").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir(), "5-remote-config-viewer.png"), FullPage = true });

        // the nodes answer while the page stays open: it follows without a reload
        await using (var node = await TelemetryPublisher.ConnectAsync(host.MqttPort, Site, "wq-0002", secrets["wq-0002"]))
        {
            await node.PublishAckAsync("config/ack", """{"v":1,"rev":1,"ok":true,"err":0}""");
        }

        await using (var node = await TelemetryPublisher.ConnectAsync(host.MqttPort, Site, "wq-0001", secrets["wq-0001"]))
        {
            await node.PublishAckAsync("cmd/ack", $$"""{"v":1,"id":"{{sample}}","ok":false,"err":3}""");
        }

        await page.WaitForSelectorAsync("#downlink section.downlink[data-device='wq-0002'] .config-state [data-state=applied]", Refresh);
        await page.WaitForSelectorAsync($"#downlink section.downlink[data-device='wq-0001'] tr.command-row[data-command='{sample}'][data-state=failed]", Refresh);
        Assert.Contains("BadArgument", await one.Locator($"tr.command-row[data-command='{sample}']").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("applied", await page.Locator("#devices tr[data-device='wq-0002'] .remote-config").TextContentAsync(), StringComparison.Ordinal);

        // a phone at the duty desk: the panels stack and the page does not scroll sideways
        await page.SetViewportSizeAsync(390, 844);
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 400, $"the site page is {width}px wide on a 390px screen");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir(), "7-remote-config-phone.png"), FullPage = true });

        Assert.Empty(browser.Errors);
        Assert.Empty(browser.External);
    }

    [Fact]
    public async Task Operator_sends_set_interval_and_a_confirmed_clear_queue_and_a_bad_sampleSec_shows_the_APIs_400_and_stores_nothing()
    {
        await using var host = await GatewayHost.StartAsync(fixture.Influx);
        await host.AddSiteAsync(Site, 34.33, 108.7, "Wei", "river", "wq-0001");
        var op = await host.CreateKeyAsync("duty desk", "operator");
        await using var browser = await DashboardSession.OpenAsync(host, op);
        var page = browser.Page;
        await browser.OpenSiteAsync(Site);
        var panel = page.Locator("#downlink section.downlink[data-device='wq-0001']");
        await panel.Locator(".config-state [data-state=none]").WaitForAsync();

        // set_interval 300 s
        await panel.Locator("select[name=cmd]").SelectOptionAsync("set_interval");
        await panel.Locator("input[name=sec]").FillAsync("300");
        await panel.Locator(".command-form button[type=submit]").ClickAsync();
        await panel.Locator(".command-result:has-text('queued')").WaitForAsync();
        var list = await PollAsync(host, op, "/api/v1/devices/wq-0001/commands", c => c.GetArrayLength() == 1);
        var sent = list[0];
        Assert.Equal("set_interval", sent.GetProperty("cmd").GetString());
        Assert.Equal(300, sent.GetProperty("args").GetProperty("sec").GetInt32());
        Assert.Equal("queued", sent.GetProperty("state").GetString());
        Assert.Equal("duty desk", sent.GetProperty("by").GetString());
        await panel.Locator($"tr.command-row[data-command='{sent.GetProperty("id").GetString()}'][data-state=queued]").WaitForAsync();

        // clear_queue goes out only after the explicit confirmation, with confirm: true
        await panel.Locator("select[name=cmd]").SelectOptionAsync("clear_queue");
        await panel.Locator(".command-form button[type=submit]").ClickAsync();
        await panel.Locator(".confirm .confirm-yes").WaitForAsync();
        Assert.Contains("lost for good", await panel.Locator(".confirm").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await host.GetAsync("/api/v1/devices/wq-0001/commands", op)).Body!.RootElement.GetArrayLength());
        await panel.Locator(".confirm .confirm-yes").ClickAsync();
        list = await PollAsync(host, op, "/api/v1/devices/wq-0001/commands", c => c.GetArrayLength() == 2);
        Assert.Equal("clear_queue", list[0].GetProperty("cmd").GetString());
        Assert.True(list[0].GetProperty("args").GetProperty("confirm").GetBoolean());

        // sampleSec 5: the page shows the API's own 400 message, and nothing is stored
        var (status, refused, _) = await host.SendAsync(HttpMethod.Patch, "/api/v1/devices/wq-0001/config", op, new { sampleSec = 5 });
        Assert.Equal(400, status);
        var detail = refused!.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains("sampleSec", detail, StringComparison.Ordinal);
        await panel.Locator("input[name=sampleSec]").FillAsync("5");
        await panel.Locator(".interval-form button[type=submit]").ClickAsync();
        await panel.Locator(".config-error:not(:empty)").WaitForAsync();
        var shown = await panel.Locator(".config-error").TextContentAsync();
        Assert.Contains("400", shown, StringComparison.Ordinal);
        Assert.Contains(detail, shown, StringComparison.Ordinal);
        var (_, config, _) = await host.GetAsync("/api/v1/devices/wq-0001/config", op);
        Assert.Equal("none", config!.RootElement.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, config.RootElement.GetProperty("desired").ValueKind);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir(), "6-remote-config-operator-400.png"), FullPage = true });

        // a good pair is stored as the next revision and shown as pending
        await panel.Locator("input[name=sampleSec]").FillAsync("600");
        await panel.Locator("input[name=uploadSec]").FillAsync("1800");
        await panel.Locator(".interval-form button[type=submit]").ClickAsync();
        await panel.Locator(".config-state [data-state=pending]").WaitForAsync();
        Assert.Equal(string.Empty, await panel.Locator(".config-error").TextContentAsync());
        var desired = (await PollAsync(host, op, "/api/v1/devices/wq-0001/config", d => d.GetProperty("state").GetString() == "pending")).GetProperty("desired");
        Assert.Equal(1, desired.GetProperty("rev").GetInt64());
        Assert.Equal(600, desired.GetProperty("config").GetProperty("sampleSec").GetInt32());
        Assert.Equal(1800, desired.GetProperty("config").GetProperty("uploadSec").GetInt32());
        Assert.Contains("it uploads every 1800 s", await panel.Locator(".config-state").TextContentAsync(), StringComparison.Ordinal);

        Assert.Empty(browser.Errors);
        Assert.Empty(browser.External);
    }

    [Fact]
    public async Task Viewer_key_gets_no_write_controls_and_a_403_after_the_key_changed_is_shown_plainly()
    {
        await using var host = await GatewayHost.StartAsync(fixture.Influx);
        await host.AddSiteAsync(Site, 34.33, 108.7, "Wei", "river", "wq-0001");
        var op = await host.CreateKeyAsync("duty desk", "operator");
        var viewer = await host.CreateKeyAsync("water agency", "viewer");
        await WriteAsync(host, HttpMethod.Patch, "/api/v1/devices/wq-0001/config", op, new { uploadSec = 900 });

        await using var browser = await DashboardSession.OpenAsync(host, op);
        var page = browser.Page;
        await browser.OpenSiteAsync(Site);
        var panel = page.Locator("#downlink section.downlink[data-device='wq-0001']");
        Assert.Equal(1, await panel.Locator("form.command-form").CountAsync());
        Assert.Equal(1, await panel.Locator("form.interval-form").CountAsync());
        Assert.Equal("900", await panel.Locator("input[name=uploadSec]").InputValueAsync());

        // the key is changed to a viewer's (another tab) while the operator's controls are still shown: the API's 403 is spelled out
        await page.EvaluateAsync("k => localStorage.setItem('iotmon.apiKey', k)", viewer);
        await panel.Locator("select[name=cmd]").SelectOptionAsync("sample_now");
        await panel.Locator(".command-form button[type=submit]").ClickAsync();
        await panel.Locator(".command-error:not(:empty)").WaitForAsync();
        var shown = await panel.Locator(".command-error").TextContentAsync();
        Assert.Contains("403", shown, StringComparison.Ordinal);
        Assert.Contains("needs an operator key", shown, StringComparison.Ordinal);
        Assert.Equal(0, (await host.GetAsync("/api/v1/devices/wq-0001/commands", op)).Body!.RootElement.GetArrayLength());

        // with the viewer's key the page shows the state and no controls at all
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#downlink .updated:not(:empty)");
        await panel.Locator(".config-state [data-state=pending]").WaitForAsync();
        Assert.Equal(0, await page.Locator("#downlink form, #downlink select, #downlink input, #downlink button").CountAsync());
        Assert.Contains("water agency", await page.Locator("#downlink .readonly").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("need an operator key", await page.Locator("#downlink .readonly").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await host.GetAsync("/api/v1/devices/wq-0001/commands", op)).Body!.RootElement.GetArrayLength());

        Assert.Empty(browser.Errors);
        Assert.Empty(browser.External);
    }

    private static async Task WriteAsync(GatewayHost host, HttpMethod method, string path, string key, object body)
    {
        var (status, _, text) = await host.SendAsync(method, path, key, body);
        Assert.True(status == 202, $"{method} {path}: {status} {text}");
    }

    private static async Task<string> CommandAsync(GatewayHost host, string device, string key, object body)
    {
        var (status, json, text) = await host.SendAsync(HttpMethod.Post, $"/api/v1/devices/{device}/commands", key, body);
        Assert.True(status == 202, $"command to {device}: {status} {text}");
        return json!.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> PollAsync(GatewayHost host, string key, string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (status, body, text) = await host.GetAsync(path, key);
            if (status == 200 && done(body!.RootElement))
            {
                return body.RootElement.Clone();
            }

            Assert.True(DateTime.UtcNow < deadline, $"GET {path} never got there: {status} {text}");
            await Task.Delay(100);
        }
    }

    private static string ScreenshotDir()
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
