using IoTMonitor.Gateway.Api.Tests.Support;
using Microsoft.Playwright;

namespace IoTMonitor.Gateway.Api.Tests.Browser;

/// <summary>
/// Headless Chromium (Debian's, as in <see cref="DashboardTests"/>) on one page of a gateway's dashboard,
/// signed in with a key; collects script errors and any request that leaves the gateway (there must be none).
/// </summary>
public sealed class DashboardSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private DashboardSession(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    public List<string> Errors { get; } = [];

    public List<string> External { get; } = [];

    public static async Task<DashboardSession> OpenAsync(GatewayHost host, string key, string? locale = null)
    {
        Assert.True(File.Exists(DashboardTests.Chromium), $"{DashboardTests.Chromium} is missing: install it with `apt-get install -y chromium` (scripts/install-deps.sh --browser does)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = DashboardTests.Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, Locale = locale ?? "en-US" });
        var page = await context.NewPageAsync();
        var session = new DashboardSession(playwright, browser, page);
        context.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(host.BaseUrl.ToString(), StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal) && !r.Url.StartsWith("blob:", StringComparison.Ordinal))
            {
                session.External.Add(r.Url);
            }
        };
        page.PageError += (_, e) => session.Errors.Add(e);
        page.SetDefaultTimeout(20000);
        await page.GotoAsync(host.BaseUrl.ToString());
        await page.FillAsync("#key", key);
        await page.ClickAsync("#keyform button");
        try
        {
            await page.WaitForSelectorAsync("tr.site-row");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"the overview did not show its sites; script errors: {string.Join(" | ", session.Errors)}; page: {await page.InnerTextAsync("main")}", e);
        }

        return session;
    }

    /// <summary>Opens a site's page and waits until its remote-config panels have loaded.</summary>
    public async Task OpenSiteAsync(string site)
    {
        await Page.EvaluateAsync("h => { location.hash = h; }", $"#/site/{site}");
        await Page.WaitForSelectorAsync("#downlink .updated:not(:empty)");
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
