using System.Globalization;
using System.Text.Json;
using IoTMonitor.Gateway.Api.Tests.Support;

namespace IoTMonitor.Gateway.Api.Tests.Api;

/// <summary>
/// The query API against a real influxd holding <see cref="KnownData"/>: every aggregate checked
/// against the value computed in the test, sites and status, latest values, completeness, CSV export,
/// and the 400s for bad input and oversized answers.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class QueryApiTests(ApiFixture fixture)
{
    private readonly GatewayHost _host = fixture.Known;
    private readonly string _viewer = fixture.Viewer;

    [Theory]
    [InlineData("mean", 600)]
    [InlineData("min", 600)]
    [InlineData("max", 1800)]
    [InlineData("last", 600)]
    [InlineData("count", 3600)]
    [InlineData("mean", 60)]
    public async Task Series_aggregates_match_values_computed_from_the_known_points(string agg, long window)
    {
        // a range that starts and ends inside windows, so edges are exercised
        var from = KnownData.Base + 1234;
        var to = KnownData.Base + (5 * 3600) + 17;
        var (status, body, text) = await _host.GetAsync($"/api/v1/series?site=s1&quantity=water.ph&from={from}&to={to}&window={window}s&agg={agg}", _viewer);
        Assert.True(status == 200, text);
        var series = body!.RootElement.GetProperty("series");
        Assert.Equal(1, series.GetArrayLength());
        Assert.Equal("d1", series[0].GetProperty("device").GetString());
        var expected = KnownData.Expected(KnownData.Points.Where(p => p.Site == "s1" && p.Quantity == "ph"), from, to, window, agg);
        var actual = series[0].GetProperty("points").EnumerateArray().ToDictionary(p => p[0].GetInt64(), p => p[1].GetDouble());
        Assert.Equal(expected.Keys, actual.Keys.Order());
        foreach (var (t, v) in expected)
        {
            Assert.True(Math.Abs(actual[t] - v) < 1e-9, $"{agg} at {t}: expected {v}, got {actual[t]}");
        }

        Assert.Equal("pH", body.RootElement.GetProperty("unit").GetString());
        Assert.Contains(body.RootElement.GetProperty("thresholds").EnumerateArray(), th => th.GetProperty("value").GetDouble() == 14);
    }

    [Fact]
    public async Task Series_for_several_sites_comes_back_per_site_with_daily_windows()
    {
        var from = KnownData.Base;
        var to = KnownData.Base + (10 * 86400);
        var (status, body, text) = await _host.GetAsync($"/api/v1/series?site=s2,s3&quantity=water.ph&from={from}&to={to}&window=1d&agg=mean", _viewer);
        Assert.True(status == 200, text);
        var series = body!.RootElement.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(["s2", "s3"], series.Select(s => s.GetProperty("site").GetString()));
        foreach (var s in series)
        {
            var site = s.GetProperty("site").GetString();
            var expected = KnownData.Expected(KnownData.Points.Where(p => p.Site == site), from, to, 86400, "mean");
            var points = s.GetProperty("points").EnumerateArray().ToList();
            Assert.Equal(10, points.Count);
            foreach (var p in points)
            {
                Assert.True(Math.Abs(expected[p[0].GetInt64()] - p[1].GetDouble()) < 1e-9);
            }
        }

        // no site = all sites: s1 and c1 hold water.ph too
        (status, body, _) = await _host.GetAsync($"/api/v1/series?quantity=water.ph&from={from}&to={to}&window=1d&agg=count", _viewer);
        Assert.Equal(200, status);
        Assert.Equal(["c1", "s1", "s2", "s3"], body!.RootElement.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("site").GetString()).Distinct());
    }

    [Theory]
    [InlineData("/api/v1/series?site=s1&from=0&to=100&window=1m", "quantity is required")]
    [InlineData("/api/v1/series?site=s1&quantity=water.salt&window=1m", "not in the vocabulary")]
    [InlineData("/api/v1/series?site=S1!&quantity=water.ph&window=1m", "site must be an id")]
    [InlineData("/api/v1/series?site=s1&quantity=water.ph&window=5x", "window must be")]
    [InlineData("/api/v1/series?site=s1&quantity=water.ph", "window is required")]
    [InlineData("/api/v1/series?site=s1&quantity=water.ph&window=1m&agg=median", "agg must be one of")]
    [InlineData("/api/v1/series?site=s1&quantity=water.ph&window=1m&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from must be before to")]
    [InlineData("/api/v1/series?site=s1&quantity=water.ph&window=1m&from=yesterday", "from must be ISO 8601")]
    [InlineData("/api/v1/series?site=s1&quantity=water.ph&window=1s&from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z", "narrow the range or widen the window")]
    [InlineData("/api/v1/export?quantity=water.ph", "site must be an id")]
    [InlineData("/api/v1/sites/c1/completeness?window=1s&from=0&to=864000", "narrow the range or widen the window")]
    [InlineData("/api/v1/latest?quantity=x", "not in the vocabulary")]
    public async Task Bad_input_answers_400_with_a_message_naming_the_problem(string path, string message)
    {
        var (status, body, text) = await _host.GetAsync(path, _viewer);
        Assert.True(status == 400, $"{path}: {status} {text}");
        Assert.Contains(message, body!.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sites_list_profiles_and_status_and_site_page_lists_devices()
    {
        var (status, body, text) = await _host.GetAsync("/api/v1/sites", _viewer);
        Assert.True(status == 200, text);
        var s1 = body!.RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetString() == "s1");
        Assert.Equal(38.05, s1.GetProperty("lat").GetDouble());
        Assert.Equal("Heihe", s1.GetProperty("basin").GetString());
        Assert.Equal("river", s1.GetProperty("type").GetString());
        Assert.Equal(2, s1.GetProperty("devices").GetInt32());
        Assert.Equal("offline", s1.GetProperty("status").GetString()); // nothing came over the stream

        (status, body, _) = await _host.GetAsync("/api/v1/sites/s1", _viewer);
        Assert.Equal(200, status);
        Assert.Equal(["d1", "d2"], body!.RootElement.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal(404, (await _host.GetAsync("/api/v1/sites/nope", _viewer)).Status);
    }

    [Fact]
    public async Task Site_profile_is_validated()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/sites/bad") { Content = System.Net.Http.Json.JsonContent.Create(new { lat = 100.0, lon = 1.0 }) };
        request.Headers.Add("X-Api-Key", GatewayHost.AdminKey);
        using var response = await _host.Http.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("lat must be", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completeness_counts_missing_sequence_numbers_across_a_reboot()
    {
        var from = KnownData.Base;
        var to = KnownData.Base + (4 * 3600);
        var stored = KnownData.Points.Count(p => p.Site == "c1");
        var sent = 200 + 100;
        foreach (var window in new[] { string.Empty, "&window=1h", "&window=10m" })
        {
            var (status, body, text) = await _host.GetAsync($"/api/v1/sites/c1/completeness?from={from}&to={to}{window}", _viewer);
            Assert.True(status == 200, text);
            var root = body!.RootElement;
            Assert.Equal(stored, root.GetProperty("received").GetInt64());
            Assert.Equal(sent, root.GetProperty("expected").GetInt64());
            Assert.Equal((double)stored / sent, root.GetProperty("ratio").GetDouble(), 9);
            var device = root.GetProperty("devices")[0];
            Assert.Equal("cd", device.GetProperty("device").GetString());
            Assert.Equal(sent, device.GetProperty("windows").EnumerateArray().Sum(w => w.GetProperty("expected").GetInt64()));
        }
    }

    [Fact]
    public async Task Csv_export_streams_every_raw_reading_across_spans()
    {
        var from = KnownData.Base;
        var to = KnownData.Base + (10 * 86400);
        var (status, _, text) = await _host.GetAsync($"/api/v1/export?site=s2&quantity=water.ph&from={from}&to={to}", _viewer);
        Assert.Equal(200, status);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal("time,site,device,quantity,value,unit,flags,seq,boot", lines[0]);
        var expected = KnownData.Points.Where(p => p.Site == "s2").OrderBy(p => p.T).ToList();
        Assert.Equal(expected.Count, lines.Length - 1);
        for (var i = 0; i < expected.Count; i++)
        {
            var p = expected[i];
            var t = DateTimeOffset.FromUnixTimeSeconds(p.T).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            Assert.Equal($"{t},s2,s2-node,water.ph,{p.Value.ToString("R", CultureInfo.InvariantCulture)},pH,0,{p.Seq},1", lines[i + 1]);
        }
    }

    [Fact]
    public async Task OpenApi_document_and_reference_page_are_served_offline()
    {
        var (status, body, _) = await _host.GetAsync("/openapi/v1.json", key: null);
        Assert.Equal(200, status);
        var paths = body!.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/sites", "/api/v1/series", "/api/v1/latest", "/api/v1/export", "/api/v1/sites/{site}/completeness", "/api/v1/alerts", "/api/v1/keys" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path + " missing from the OpenAPI document");
        }

        var (pageStatus, _, page) = await _host.GetAsync("/scalar/v1", key: null);
        Assert.Equal(200, pageStatus);
        Assert.DoesNotContain("cdn.", page, StringComparison.Ordinal);
        Assert.Contains("scalar.js", page, StringComparison.Ordinal);
    }
}
