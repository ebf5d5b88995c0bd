using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway;
using IoTMonitor.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

// Figures for issue 8: a fresh influxd (Debian 1.6.7) loaded with synthetic data, the gateway in
// process, and the time to answer
//   A: 30 days of one quantity at one site in 1-minute windows (43,200 raw points -> 43,200 windows)
//   B: 1 year of one quantity at 50 sites in daily windows (hourly raw data: 438,000 points -> 18,250 windows)
//   C: the dashboard's first load on loopback (HTML + JS + CSS + Leaflet + basemap + /sites, until the 51 rows and the map's markers show)
const string Admin = "bench-bootstrap-admin-key-000000000";
var ci = CultureInfo.InvariantCulture;
using var influx = await InfluxDbServer.StartNewAsync();
const string Db = "iotmon";
await influx.CreateDatabaseAsync(Db);
var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 86400 * 86400;

// BENCH_API_ONLY=C measures the dashboard's first load alone: C reads no series (the overview's /sites
// answers from the registry and the live cache), so the 481,200 points and the compaction wait are skipped
var onlyC = Environment.GetEnvironmentVariable("BENCH_API_ONLY") == "C";
var load = Stopwatch.StartNew();
var sb = new StringBuilder();
var rng = new Random(8);
async Task FlushAsync(bool force)
{
    if (sb.Length > 4_000_000 || (force && sb.Length > 0))
    {
        await influx.WriteAsync(Db, sb.ToString());
        sb.Clear();
    }
}

for (long i = 0, t = end - (30 * 86400); !onlyC && t < end; t += 60, i++)
{
    sb.Append(ci, $"water,device=m-1,quantity=ph,site=minute-site value={7 + Math.Sin(i / 300.0) + (rng.NextDouble() * 0.1):0.00},flags=0i,seq={i + 1}i,boot=1i {t}000000000\n");
    await FlushAsync(false);
}

for (var s = 0; !onlyC && s < 50; s++)
{
    for (long i = 0, t = end - (365 * 86400); t < end; t += 3600, i++)
    {
        sb.Append(ci, $"water,device=n-{s:00},quantity=level,site=site-{s:00} value={2 + Math.Sin(i / 500.0 + s) + (rng.NextDouble() * 0.05):0.000},flags=0i,seq={i + 1}i,boot=1i {t}000000000\n");
        await FlushAsync(false);
    }
}

await FlushAsync(true);
if (!onlyC)
{
    Console.WriteLine($"loaded 43,200 + 438,000 points into influxd in {load.Elapsed.TotalSeconds:0.0} s; waiting 30 s for influxd to snapshot and compact");
    await Task.Delay(TimeSpan.FromSeconds(30));
}

var dataDir = Directory.CreateTempSubdirectory("iotmon-bench-api-").FullName;
var port = FreePort.Next();
var app = GatewayApp.Build([
    $"--Urls=http://127.0.0.1:{port}", $"--Gateway:DataDir={dataDir}", "--Mqtt:BindAddress=127.0.0.1", $"--Mqtt:Port={FreePort.Next()}",
    $"--Storage:Url={influx.Url}", $"--Storage:Database={Db}", $"--Api:AdminKey={Admin}", "--Registry:Pbkdf2Iterations=1000",
    "--Logging:LogLevel:Default=Warning", "--Query:CacheWarmDays=0", .. args,
]);
if (args.Length > 0)
{
    Console.WriteLine($"gateway options: {string.Join(' ', args)}");
}

await app.StartAsync();
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
http.DefaultRequestHeaders.Add("X-Api-Key", Admin);
for (var s = 0; s < 50; s++)
{
    (await http.PutAsJsonAsync($"/api/v1/sites/site-{s:00}", new { name = $"Site {s:00}", lat = 36 + (s % 7), lon = 80 + (s * 0.5), basin = "Tarim", type = "river" })).EnsureSuccessStatusCode();
    (await http.PostAsJsonAsync("/api/v1/devices", new { id = $"n-{s:00}", site = $"site-{s:00}" })).EnsureSuccessStatusCode();
}

(await http.PutAsJsonAsync("/api/v1/sites/minute-site", new { name = "Minute site", lat = 38.9, lon = 100.4, basin = "Heihe", type = "river" })).EnsureSuccessStatusCode();
(await http.PostAsJsonAsync("/api/v1/devices", new { id = "m-1", site = "minute-site" })).EnsureSuccessStatusCode();
var key = (await (await http.PostAsJsonAsync("/api/v1/keys", new { name = "bench", role = "viewer" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;

var a = $"/api/v1/series?site=minute-site&quantity=water.ph&from={end - (30 * 86400)}&to={end}&window=1m&agg=mean";
var b = $"/api/v1/series?site={string.Join(',', Enumerable.Range(0, 50).Select(s => $"site-{s:00}"))}&quantity=water.level&from={end - (365 * 86400)}&to={end}&window=1d&agg=mean";
// each run asks the gateway, then sends the same InfluxQL straight to influxd (what the database alone
// costs), interleaved so both see the same background load
using var direct = new HttpClient { BaseAddress = influx.Url };
if (!onlyC)
{
    await Time("A  30 d x 1-min windows, 1 site, 1 quantity", a, 43200, [
        ("A' InfluxQL GROUP BY time(1m) alone", $"SELECT mean(value) FROM \"water\" WHERE quantity = 'ph' AND site = 'minute-site' AND time >= {end - (30 * 86400)}s AND time < {end}s GROUP BY time(1m), site, device fill(none)"),
        ("A\" raw SELECT alone (what the raw path asks)", $"SELECT value FROM \"water\" WHERE quantity = 'ph' AND site = 'minute-site' AND time >= {end - (30 * 86400)}s AND time < {end}s GROUP BY site, device LIMIT 86402"),
    ]);
    await Time("B  1 y x daily windows, 50 sites, 1 quantity", b, 18250, [
        ("B' InfluxQL GROUP BY time(1d) alone", $"SELECT mean(value) FROM \"water\" WHERE quantity = 'level' AND site =~ /^({string.Join('|', Enumerable.Range(0, 50).Select(s => $"site-{s:00}"))})$/ AND time >= {end - (365 * 86400)}s AND time < {end}s GROUP BY time(1d), site, device fill(none)"),
    ]);
}

async Task<double> DirectOnce(string q)
{
    var sw = Stopwatch.StartNew();
    _ = await direct.GetStringAsync($"/query?db={Db}&epoch=s&chunked=true&chunk_size=10000&q={Uri.EscapeDataString(q)}");
    return sw.Elapsed.TotalMilliseconds;
}

// C: dashboard first load in headless Chromium (the key already in localStorage, as on a returning visit)
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium",
    Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
var loads = new List<double>();
var waterfall = string.Empty;
for (var run = 0; run < 6; run++)
{
    var context = await browser.NewContextAsync();
    await context.AddInitScriptAsync($"localStorage.setItem('iotmon.apiKey', '{key}')");
    var page = await context.NewPageAsync();
    var sw = Stopwatch.StartNew();
    await page.GotoAsync(http.BaseAddress + "#/");
    await page.WaitForFunctionAsync("() => document.querySelectorAll('tr.site-row').length === 51 && document.querySelector(\"#map[data-placed='51'] .leaflet-marker-icon\") !== null");
    loads.Add(sw.Elapsed.TotalMilliseconds);
    waterfall = await page.EvaluateAsync<string>(@"() => {
      const n = performance.getEntriesByType('navigation')[0];
      const r = performance.getEntriesByType('resource').map((e) => `${e.name.replace(location.origin + '/', '')} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`);
      const drawn = performance.getEntriesByName('iotmon:overview')[0];
      const borders = performance.getEntriesByName('iotmon:basemap')[0];
      return `html ${Math.round(n.responseEnd)}, overview drawn (in-page mark) ${drawn ? Math.round(drawn.startTime) : '?'}, borders drawn ${borders ? Math.round(borders.startTime) : 'not yet'}, DOMContentLoaded ${Math.round(n.domContentLoadedEventEnd)}, load ${Math.round(n.loadEventEnd)}, done ${Math.round(performance.now())}; ` + r.join(', ');
    }");
    await context.CloseAsync();
}

Console.WriteLine($"C  dashboard first load (51 sites, map + table), fresh browser context: first {loads[0]:0} ms, median of next 5 {Median(loads.Skip(1)):0} ms (target < 1000 ms)");
Console.WriteLine($"   last run, ms from navigation start: {waterfall}");
Console.WriteLine($"   load average: {File.ReadAllText("/proc/loadavg").Trim()}");
await app.StopAsync();
await app.DisposeAsync();
Directory.Delete(dataDir, recursive: true);

async Task Time(string label, string path, int expectedPoints, (string Label, string Query)[] alone)
{
    var aloneTimes = alone.Select(_ => new List<double>()).ToList();
    var times = new List<double>();
    var points = 0;
    long bytes = 0;
    var timing = string.Empty;
    var db = new List<double>();
    var appMs = new List<double>();
    for (var run = 0; run < 6; run++)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        var sw = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        times.Add(sw.Elapsed.TotalMilliseconds);
        response.EnsureSuccessStatusCode();
        bytes = body.Length;
        var serverTiming = string.Join(' ', response.Headers.GetValues("Server-Timing"));
        timing += (timing.Length > 0 ? ", " : string.Empty) + string.Join(' ', response.Headers.GetValues("X-Series-Source"));
        db.Add(double.Parse(serverTiming.Split("db;dur=")[1].Split(',')[0], ci));
        appMs.Add(double.Parse(serverTiming.Split("app;dur=")[1], ci));
        using var doc = JsonDocument.Parse(body);
        points = doc.RootElement.GetProperty("series").EnumerateArray().Sum(s => s.GetProperty("points").GetArrayLength());
        for (var i = 0; i < alone.Length; i++)
        {
            aloneTimes[i].Add(await DirectOnce(alone[i].Query));
        }
    }

    Console.WriteLine($"{label}: first {times[0]:0} ms, median of next 5 {Median(times.Skip(1)):0} ms; {points} points (expected {expectedPoints}), {bytes / 1024} KiB (target < 1000 ms)");
    Console.WriteLine($"   sources {timing}; Server-Timing medians of next 5: db {Median(db.Skip(1)):0} ms, gateway total before body {Median(appMs.Skip(1)):0} ms");
    for (var i = 0; i < alone.Length; i++)
    {
        Console.WriteLine($"{alone[i].Label}: first {aloneTimes[i][0]:0} ms, median of next 5 {Median(aloneTimes[i].Skip(1)):0} ms");
    }

    Console.WriteLine($"   load average: {File.ReadAllText("/proc/loadavg").Trim()}");
}

static double Median(IEnumerable<double> values)
{
    var v = values.Order().ToList();
    return v.Count % 2 == 1 ? v[v.Count / 2] : (v[(v.Count / 2) - 1] + v[v.Count / 2]) / 2;
}
