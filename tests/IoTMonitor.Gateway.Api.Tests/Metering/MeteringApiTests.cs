using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.Gateway.Api.Tests.Support;
using Xunit.Abstractions;

namespace IoTMonitor.Gateway.Api.Tests.Metering;

/// <summary>
/// The "done when" of water metering against a real gateway and influxd: a virtual channel with a
/// known hydrograph Q(t) = 0.5 + 0.3·sin(2πt/86400) m³/s, measured once as a stage over a 2 ft
/// Parshall flume and once by a flow meter's totaliser, sent through MQTT with readings lost, a batch
/// sent twice, batches arriving late, a node reboot and a gateway restart in the middle. The hourly
/// volumes read through the API equal the closed-form integral within the stated error.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class MeteringApiTests(ApiFixture fixture, ITestOutputHelper output)
{
    private const long Day = 86400;
    private const double Zero = 0.100; // the stage gauge reads 0.100 m with water at the flume crest

    // 2 ft Parshall flume, USBR: Q = 8.00·Ha^1.55 (ft, ft³/s)
    private static double FlumeQ(double ha) => 8.0 * Math.Pow(ha / 0.3048, 1.55) * 0.028316846592;

    private static double FlumeHa(double q) => 0.3048 * Math.Pow(q / (8.0 * 0.028316846592), 1 / 1.55);

    [Fact]
    public async Task A_known_hydrograph_gives_the_analytic_volumes_through_loss_duplicates_late_data_a_reboot_and_a_gateway_restart()
    {
        var t0 = ((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / Day) - 2) * Day; // midnight UTC two days ago
        double Q(long t) => 0.5 + (0.3 * Math.Sin(2 * Math.PI * (t - t0) / Day));
        double Integral(long a, long b) => (0.5 * (b - a)) + (0.3 * Day / (2 * Math.PI) * (Math.Cos(2 * Math.PI * (a - t0) / Day) - Math.Cos(2 * Math.PI * (b - t0) / Day)));

        await using var gateway = await MeteringGateway.StartAsync(
            fixture.Influx,
            "--Query:CacheWarmDays=0",
            "--Metering:UtcOffsetMinutes=0",
            "--Metering:MaxGapSeconds=3600",
            "--Metering:Sites:tn-1:Device=tn1-level",
            "--Metering:Sites:tn-1:Ratings:0:Id=rating-2ft",
            $"--Metering:Sites:tn-1:Ratings:0:At={t0 - Day}",
            "--Metering:Sites:tn-1:Ratings:0:Kind=parshall",
            "--Metering:Sites:tn-1:Ratings:0:Throat=2ft",
            $"--Metering:Sites:tn-1:Ratings:0:Zero={Zero.ToString(CultureInfo.InvariantCulture)}",
            "--Metering:Sites:tn-2:Source=meter",
            "--Metering:Sites:tn-2:Device=tn2-meter",
            "--Metering:Districts:d-3:Name=District 3",
            "--Metering:Districts:d-3:Channels:ch-1:Name=Main canal",
            "--Metering:Districts:d-3:Channels:ch-1:Sites:0=tn-1",
            "--Metering:Districts:d-3:Channels:ch-2:Name=North lateral",
            "--Metering:Districts:d-3:Channels:ch-2:Sites:0=tn-2");
        var levelSecret = await gateway.EnrolAsync("tn-1", "tn1-level");
        var meterSecret = await gateway.EnrolAsync("tn-2", "tn2-meter");

        // readings every 900 s over one day and its closing reading; every 7th is lost on both nodes
        var times = Enumerable.Range(0, 97).Select(i => t0 + (i * 900L)).Where((_, i) => i % 7 != 3).ToList();
        var stageBatches = times.Chunk(8).Select(c => c.Select(t => (t, "water.level", Math.Round(Zero + FlumeHa(Q(t)), 3), 0L)).ToList()).ToList();
        var meterBatches = times.Chunk(8).Select(c => c.SelectMany(t => new[] { (t, "flow.total", Math.Round(1000 + Integral(t0, t), 3), 0L), (t, "flow.rate", Math.Round(Q(t), 4), 0L) }).ToList()).ToList();

        // first half, with batch 1 sent twice and batch 2 held back (late)
        await using (var level = await TelemetryPublisherFor(gateway, "tn-1", "tn1-level", levelSecret, boot: 7))
        await using (var meter = await TelemetryPublisherFor(gateway, "tn-2", "tn2-meter", meterSecret, boot: 7))
        {
            foreach (var i in new[] { 0, 1, 1, 3, 4, 2 })
            {
                await level.PublishAsync(stageBatches[i]);
                await meter.PublishAsync(meterBatches[i]);
            }
        }

        await gateway.RestartAsync();

        // the rest after the restart, from rebooted nodes (boot 8: sequence numbers start again)
        await using (var level = await TelemetryPublisherFor(gateway, "tn-1", "tn1-level", levelSecret, boot: 8))
        await using (var meter = await TelemetryPublisherFor(gateway, "tn-2", "tn2-meter", meterSecret, boot: 8))
        {
            for (var i = stageBatches.Count - 1; i >= 5; i--)
            {
                await level.PublishAsync(stageBatches[i]);
                await meter.PublishAsync(meterBatches[i]);
            }
        }

        var viewer = await CreateViewerAsync(gateway);
        var hours = await WaitForVolumesAsync(gateway, viewer, t0, t0 + Day, times.Count);

        // the stated error: trapezoid rule with steps of at most 1800 s, plus the stage's 0.001 m resolution through the rating
        var maxSlope = times.Max(t => (FlumeQ(FlumeHa(Q(t)) + 0.0005) - FlumeQ(FlumeHa(Q(t)))) / 0.0005);
        var splitBound = 0.3 * (2 * Math.PI / Day) * 1800.0 * 1800 / 8;
        double Bound(long span) => (span * 1800.0 * 1800 / 12 * 0.3 * Math.Pow(2 * Math.PI / Day, 2)) + (span * maxSlope * 0.0005);

        var flume = hours.GetProperty("channels")[0];
        Assert.Equal("ch-1", flume.GetProperty("channel").GetString());
        Assert.Equal("rating-2ft", flume.GetProperty("sites")[0].GetProperty("ratings")[0].GetString());
        var meterChannel = hours.GetProperty("channels")[1];
        Assert.Equal("meter", meterChannel.GetProperty("sites")[0].GetProperty("source").GetString());
        double flumeDay = 0, meterDay = 0, flumeWorst = 0, meterWorst = 0;
        for (var h = 0; h < 24; h++)
        {
            var p = flume.GetProperty("periods")[h];
            var start = p.GetProperty("start").GetInt64();
            Assert.Equal(t0 + (h * 3600), start);
            var expected = Integral(start, start + 3600);
            var volume = p.GetProperty("volume").GetDouble();
            Assert.True(Math.Abs(volume - expected) <= Bound(3600), $"hour {h}: {volume} m³ vs {expected} m³ (bound {Bound(3600)})");
            flumeWorst = Math.Max(flumeWorst, Math.Abs(volume - expected));
            Assert.Equal(1.0, p.GetProperty("completeness").GetDouble());
            flumeDay += volume;

            var m = meterChannel.GetProperty("periods")[h];
            // Between readings a totaliser is exact (to its 0.001 m³, two readings); an hour boundary whose reading was lost is
            // split in proportion to time, off by at most max|Q'|·h²/8 for a step h (1800 s here).
            var metered = m.GetProperty("volume").GetDouble();
            var split = (times.Contains(start) ? 0 : 1) + (times.Contains(start + 3600) ? 0 : 1);
            Assert.True(Math.Abs(expected - metered) <= 0.002 + (split * splitBound), $"meter hour {h}: {metered} m³ vs {expected} m³: {m}");
            Assert.Equal(0, m.GetProperty("resets").GetInt32());
            meterWorst = Math.Max(meterWorst, Math.Abs(expected - metered));
            meterDay += m.GetProperty("volume").GetDouble();
        }

        Assert.True(Math.Abs(flumeDay - Integral(t0, t0 + Day)) <= Bound(Day), $"day {flumeDay} vs {Integral(t0, t0 + Day)}");
        Assert.True(Math.Abs(43200 - meterDay) <= 0.002, $"meter day {meterDay} m³"); // both ends of the day were read: exact
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flume: worst hour {flumeWorst:0.###} m³ (bound {Bound(3600):0.###}), day {flumeDay - Integral(t0, t0 + Day):+0.###;-0.###} m³ of {Integral(t0, t0 + Day):0.#} (bound {Bound(Day):0.#}); meter: worst hour {meterWorst:0.###} m³ (split bound {splitBound:0.###}), day {meterDay - 43200:+0.####;-0.####} m³"));

        // the same day as one period, and as CSV
        var (status, day, text) = await Get(gateway, viewer, $"/api/v1/metering/districts/d-3/volumes?from={t0}&to={t0 + Day}&period=day");
        Assert.True(status == 200, text);
        Assert.Equal(flumeDay, day!.RootElement.GetProperty("channels")[0].GetProperty("periods")[0].GetProperty("volume").GetDouble(), 6);
        var (csvStatus, _, csv) = await Get(gateway, viewer, $"/api/v1/metering/districts/d-3/volumes.csv?from={t0}&to={t0 + Day}&period=hour");
        Assert.Equal(200, csvStatus);
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("district,channel,site,source,period_start,period_end,volume_m3,completeness,covered_s,gap_s,flagged_s,interpolated_s,resets,readings,wraps", lines[0]);
        Assert.Equal(1 + (2 * 24 * 2), lines.Length); // per channel and hour: the channel row and its one site's row
        Assert.StartsWith($"d-3,ch-1,,,{DateTimeOffset.FromUnixTimeSeconds(t0).UtcDateTime:yyyy-MM-dd}T00:00:00Z,", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",1,3600,0,0,0,0," + times.Count(t => t >= t0 && t < t0 + 3600) + ",0", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_districts_and_bad_periods_are_refused_and_a_wrong_rating_stops_the_start()
    {
        await using var gateway = await MeteringGateway.StartAsync(
            fixture.Influx,
            "--Query:CacheWarmDays=0",
            "--Metering:Sites:tn-9:Ratings:0:Id=table",
            "--Metering:Sites:tn-9:Ratings:0:Kind=table",
            "--Metering:Sites:tn-9:Ratings:0:Points:0:0=0.1",
            "--Metering:Sites:tn-9:Ratings:0:Points:0:1=0",
            "--Metering:Sites:tn-9:Ratings:0:Points:1:0=0.5",
            "--Metering:Sites:tn-9:Ratings:0:Points:1:1=0.8",
            "--Metering:Districts:d-9:Channels:c:Sites:0=tn-9");
        var viewer = await CreateViewerAsync(gateway);
        Assert.Equal(404, (await Get(gateway, viewer, "/api/v1/metering/districts/nowhere/volumes")).Status);
        var (status, _, text) = await Get(gateway, viewer, "/api/v1/metering/districts/d-9/volumes?period=week");
        Assert.Equal(400, status);
        Assert.Contains("period must be hour, day or season", text, StringComparison.Ordinal);
        Assert.Equal(401, (await Get(gateway, null, "/api/v1/metering/districts/d-9/volumes")).Status);
        var (empty, body, emptyText) = await Get(gateway, viewer, "/api/v1/metering/districts/d-9/volumes?period=day");
        Assert.True(empty == 200, emptyText);
        var p = body!.RootElement.GetProperty("channels")[0].GetProperty("periods")[0];
        Assert.Equal(0, p.GetProperty("volume").GetDouble());
        Assert.Equal(0, p.GetProperty("completeness").GetDouble()); // no readings: nothing covered, said so

        var e = await Assert.ThrowsAnyAsync<Exception>(() => MeteringGateway.StartAsync(
            fixture.Influx,
            "--Metering:Sites:bad:Ratings:0:Id=r",
            "--Metering:Sites:bad:Ratings:0:Kind=v-notch",
            "--Metering:Sites:bad:Ratings:0:CrestHeight=0.2"));
        Assert.Contains("fully contracted V-notch", e.Message, StringComparison.Ordinal);
    }

    private static async Task<TelemetryPublisher> TelemetryPublisherFor(MeteringGateway gateway, string site, string device, string secret, long boot)
    {
        var p = await TelemetryPublisher.ConnectAsync(gateway.MqttPort, site, device, secret);
        p.Boot = boot;
        return p;
    }

    private static async Task<string> CreateViewerAsync(MeteringGateway gateway)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/v1/keys", new { name = "district-office", role = "viewer" });
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("key").GetString()!;
    }

    private static async Task<(int Status, JsonDocument? Body, string Text)> Get(MeteringGateway gateway, string? key, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var client = new HttpClient { BaseAddress = gateway.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true && text.Length > 0 ? JsonDocument.Parse(text) : null;
        return ((int)response.StatusCode, json, text);
    }

    // Waits until InfluxDB holds every reading sent (the writer flushes in the background), then returns the hourly answer.
    private static async Task<JsonElement> WaitForVolumesAsync(MeteringGateway gateway, string viewer, long from, long to, int readings)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (status, body, text) = await Get(gateway, viewer, $"/api/v1/metering/districts/d-3/volumes?from={from}&to={to}&period=hour");
            if (status == 200)
            {
                var channels = body!.RootElement.GetProperty("channels");
                var stored = channels.EnumerateArray().Select(c => c.GetProperty("periods").EnumerateArray().Sum(p => p.GetProperty("readings").GetInt32())).ToList();
                if (stored.All(n => n == readings - 1)) // the closing reading at `to` belongs to the next period
                {
                    return body.RootElement.Clone();
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the volumes never held {readings} readings: {status} {text}");
            }

            await Task.Delay(200);
        }
    }
}
