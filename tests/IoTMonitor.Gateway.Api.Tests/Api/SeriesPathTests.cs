using System.Globalization;
using System.Text.Json;
using IoTMonitor.Gateway.Api.Tests.Fakes;
using IoTMonitor.Gateway.Query;

namespace IoTMonitor.Gateway.Api.Tests.Api;

/// <summary>
/// The three ways to a series answer (InfluxQL GROUP BY time, raw points folded by the gateway, daily
/// rollups) give the values computed independently from <see cref="KnownData"/> and the values
/// InfluxDB itself computes; a late reading for a stored day is seen on the next request.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class SeriesPathTests(ApiFixture fixture)
{
    private readonly GatewayHost _host = fixture.Known;
    private readonly string _viewer = fixture.Viewer;

    [Theory]
    [InlineData("mean", 1, 0, 10)]
    [InlineData("min", 1, 0, 10)]
    [InlineData("max", 2, 0, 10)]
    [InlineData("last", 1, 0, 10)]
    [InlineData("count", 3, 0, 10)]
    [InlineData("mean", 1, 7777, 9)]
    [InlineData("last", 2, 40000, 8)]
    [InlineData("count", 1, 50000, 9)]
    public async Task Daily_windows_from_rollups_equal_independent_values_and_InfluxQL(string agg, int days, long startOffset, int spanDays)
    {
        var from = KnownData.Base - 86400 + startOffset;
        var to = from + (spanDays * 86400L) + (startOffset == 0 ? 86400 : 0);
        var path = $"/api/v1/series?site=s1,s2,s3&quantity=water.ph&from={from}&to={to}&window={days}d&agg={agg}";
        for (var round = 0; round < 2; round++)
        {
            // the first round may be answered by GROUP BY time while the days load; the second is from the rollups
            var (source, body) = await GetAsync(path);
            Assert.Equal(round == 0 ? source : "rollup", source);
            var actual = Points(body);
            foreach (var site in new[] { "s1", "s2", "s3" })
            {
                var expected = KnownData.Expected(KnownData.Points.Where(p => p.Site == site && p.Quantity == "ph"), from, to, days * 86400L, agg);
                AssertClose(expected, actual.GetValueOrDefault(site) ?? [], $"{agg} {site} round {round}");
            }

            var influx = await InfluxAsync($"SELECT {agg}(value) FROM water WHERE quantity = 'ph' AND site =~ /^(s1|s2|s3)$/ AND time >= {from}s AND time < {to}s GROUP BY time({days}d), site fill(none)");
            foreach (var (site, points) in influx)
            {
                AssertClose(points, actual[site], $"{agg} {site} vs InfluxQL");
            }

            await _host.Service<DailyRollup>().FillsDone();
        }
    }

    [Theory]
    [InlineData("mean")]
    [InlineData("min")]
    [InlineData("max")]
    [InlineData("last")]
    [InlineData("count")]
    public async Task Short_windows_fold_raw_points_and_fall_back_to_InfluxQL_when_denser(string agg)
    {
        var from = KnownData.Base + 95;
        var to = KnownData.Base + (6 * 3600) - 30;
        foreach (var (window, source) in new[] { (60L, "raw"), (120L, "raw"), (300L, "influx") })
        {
            var (actualSource, body) = await GetAsync($"/api/v1/series?site=s1&quantity=water.ph&from={from}&to={to}&window={window}s&agg={agg}");
            Assert.Equal(source, actualSource);
            var expected = KnownData.Expected(KnownData.Points.Where(p => p.Site == "s1" && p.Quantity == "ph"), from, to, window, agg);
            AssertClose(expected, Points(body)["s1"], $"{agg} {window}s");
        }
    }

    [Fact]
    public async Task A_late_reading_for_a_stored_day_is_in_the_next_answer()
    {
        await using var host = await GatewayHost.StartAsync(fixture.Influx, "--Query:CacheWarmDays=0", "--Query:RollupGraceSeconds=2");
        var secrets = await host.AddSiteAsync("late", 40, 90, "Tarim", "river", "ln");
        var key = await host.CreateKeyAsync("viewer", "viewer");
        var day = ((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 86400) - 3) * 86400;
        await fixture.Influx.WriteAsync(host.Database, string.Join('\n', Enumerable.Range(0, 4).Select(i => string.Create(CultureInfo.InvariantCulture, $"water,device=ln,quantity=ph,site=late value={7 + i}.0,flags=0i,seq={i + 1}i,boot=1i {day + (i * 3600)}000000000"))) + "\n");
        var path = $"/api/v1/series?site=late&quantity=water.ph&from={day - (20 * 86400)}&to={day + 86400}&window=1d&agg=count";
        var (status, body, text) = await host.GetAsync(path, key);
        Assert.True(status == 200, text);
        Assert.Equal(4, body!.RootElement.GetProperty("series")[0].GetProperty("points")[0][1].GetDouble());
        await host.Service<DailyRollup>().FillsDone();
        Assert.Equal(("rollup", 4.0), await FirstCountAsync(host, path, key));

        // a node's backlog: one more reading for that day, through MQTT and the gateway
        await using (var device = await TelemetryPublisher.ConnectAsync(host.MqttPort, "late", "ln", secrets["ln"]))
        {
            await device.PublishAsync([(day + (10 * 3600), "water.ph", 8.5, 0L)]);
        }

        double count = 0;
        for (var i = 0; i < 100 && count != 5; i++)
        {
            await Task.Delay(200);
            (status, body, text) = await host.GetAsync(path, key);
            Assert.True(status == 200, text);
            count = body!.RootElement.GetProperty("series")[0].GetProperty("points")[0][1].GetDouble();
        }

        Assert.Equal(5, count);

        // once the day has settled again it is stored with the late reading
        await Task.Delay(3000);
        Assert.Equal(5.0, (await FirstCountAsync(host, path, key)).Count);
        await host.Service<DailyRollup>().FillsDone();
        Assert.Equal(("rollup", 5.0), await FirstCountAsync(host, path, key));
    }

    private static async Task<(string Source, double Count)> FirstCountAsync(GatewayHost host, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        using var response = await host.Http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.Headers.GetValues("X-Series-Source").Single(), body.RootElement.GetProperty("series")[0].GetProperty("points")[0][1].GetDouble());
    }

    private async Task<(string Source, JsonDocument Body)> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", _viewer);
        using var response = await _host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Contains("db;dur=", response.Headers.GetValues("Server-Timing").Single(), StringComparison.Ordinal);
        return (response.Headers.GetValues("X-Series-Source").Single(), JsonDocument.Parse(text));
    }

    private static Dictionary<string, SortedDictionary<long, double>> Points(JsonDocument body) =>
        body.RootElement.GetProperty("series").EnumerateArray().ToDictionary(
            s => s.GetProperty("site").GetString()!,
            s => new SortedDictionary<long, double>(s.GetProperty("points").EnumerateArray().ToDictionary(p => p[0].GetInt64(), p => p[1].GetDouble())));

    private async Task<Dictionary<string, SortedDictionary<long, double>>> InfluxAsync(string q)
    {
        using var http = new HttpClient { BaseAddress = fixture.Influx.Url };
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"/query?db={_host.Database}&epoch=s&q={Uri.EscapeDataString(q)}"));
        var result = new Dictionary<string, SortedDictionary<long, double>>();
        if (doc.RootElement.GetProperty("results")[0].TryGetProperty("series", out var series))
        {
            foreach (var s in series.EnumerateArray())
            {
                result[s.GetProperty("tags").GetProperty("site").GetString()!] = new SortedDictionary<long, double>(
                    s.GetProperty("values").EnumerateArray().ToDictionary(v => v[0].GetInt64(), v => v[1].GetDouble()));
            }
        }

        return result;
    }

    private static void AssertClose(SortedDictionary<long, double> expected, SortedDictionary<long, double> actual, string what)
    {
        Assert.True(expected.Keys.SequenceEqual(actual.Keys), $"{what}: windows {string.Join(",", expected.Keys)} expected, got {string.Join(",", actual.Keys)}");
        foreach (var (t, v) in expected)
        {
            Assert.True(Math.Abs(actual[t] - v) < 1e-9, $"{what} at {t}: expected {v}, got {actual[t]}");
        }
    }
}
