using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Firmware.Host.Signals;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests.FlashFlood;

/// <summary>
/// A Chicago design storm replayed through a virtual water node with a tipping-bucket gauge (the
/// firmware core, simulated sensors, the catchment driving the level probe) against the real
/// gateway (embedded broker, real influxd): prepare then immediate are raised once each, in that
/// order, near the moments the storm's rainfall crosses the critical values, with the targets in
/// the notice, and the gateway's rain sums equal the gauge's tips. With FLOOD_BENCH_OUT set it
/// writes the warning-time figures there (bench/flood/run.sh).
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class StormReplay_Tests(InfluxDbFixture influx)
{
    private const int SampleSec = 60;
    private const double TipMm = 0.2; // the catalog's default bucket, as the node's rain-pcf8593 entry and the board's gauge use

    // the site's critical rainfall (mm) by duration (min), per level: the test site's own, so the
    // pack's defaults for other durations (10/30 min, 3/6/24 h) sit above what this storm reaches there
    private static readonly (int Minutes, double Prepare, double Immediate)[] Critical = [(10, 18, 28), (60, 30, 60), (180, 90, 120), (360, 95, 125), (1440, 100, 160), (30, 40, 50)];

    [Fact]
    public async Task A_replayed_storm_raises_prepare_then_immediate_once_each_to_the_targets_and_sums_equal_the_tips()
    {
        var plan = SiteCatalog.Plan(SiteCatalog.BuiltIn(), "water", 1)[0];
        var site = plan.Site.Id;
        var settings = new List<string>
        {
            "--Alerts:LiveWindowSeconds=172800", // the storm is replayed from the past at speed: its readings count as live
            $"--Alerts:FlashFlood:Sites:{site}:Source=test site figures",
            $"--Alerts:FlashFlood:Sites:{site}:Targets:0:Name=Shangba village",
            $"--Alerts:FlashFlood:Sites:{site}:Targets:0:People=120",
            $"--Alerts:FlashFlood:Sites:{site}:Targets:0:Shelter=ridge school",
            $"--Alerts:FlashFlood:Sites:{site}:Targets:0:Contacts:0:Name=Li Wei",
            $"--Alerts:FlashFlood:Sites:{site}:Targets:0:Contacts:0:Phone=+8613800000001",
            $"--Alerts:FlashFlood:Sites:{site}:Targets:1:Name=Xiaba bridge section",
            $"--Alerts:FlashFlood:Sites:{site}:Targets:1:Kind=section",
        };
        foreach (var (minutes, prepare, immediate) in Critical)
        {
            settings.Add($"--Alerts:FlashFlood:Sites:{site}:Prepare:{minutes}={prepare.ToString(CultureInfo.InvariantCulture)}");
            settings.Add($"--Alerts:FlashFlood:Sites:{site}:Immediate:{minutes}={immediate.ToString(CultureInfo.InvariantCulture)}");
        }

        await using var gw = await GatewayUnderTest.StartAsync(influx.Server, [.. settings]);
        var secret = await gw.EnrolAsync(site, plan.Device);
        var json = DeviceConfigDocument.Build(new DeviceConfigRequest(site, plan.Device, "water", "127.0.0.1", gw.MqttPort, secret, SampleSec: SampleSec, UploadSec: SampleSec, RainGauge: true));

        // the fleet starts 4 h back at 300×; the storm begins 20 min in and lasts 3 h
        var start = DateTimeOffset.UtcNow.AddHours(-4).ToUnixTimeSeconds();
        var storm = new StormScenario(StormScenario.DefaultDesignStorm(), start + (20 * 60));
        var spec = new NodeSpec(site, plan.Device, "water", json, plan.Site.Lat, plan.Site.Lon, plan.Site.Alt)
        {
            EnvironmentOptions = new EnvironmentOptions { RainProbabilityPerBlock = 0, Storm = storm },
        };
        var options = new FleetOptions { Speedup = 300, StartUtcMs = start * 1000, Backfill = TimeSpan.FromHours(4), StartSpread = TimeSpan.Zero, FaultyShare = 0 };
        options.Outages.PerDay = 0;
        await using var fleet = new VirtualFleet(options);
        var node = fleet.Add(spec);
        var clockTrace = new List<(DateTimeOffset Wall, long SimMs)>();

        // what the node's PCF8593 counted by a time: the bucket's tips since the driver set the counter up at the node's first wake
        var bucket = node.Board.TippingBucket;
        long Counted(long utc) => bucket.TipsAt(utc) - bucket.TipsWhenZeroed;
        fleet.Start();

        var alerts = gw.Service<AlertsService>();
        var stormEnd = storm.StartUtc + (long)storm.Storm.DurationSec;
        await Poll.UntilAsync(
            () =>
            {
                clockTrace.Add((DateTimeOffset.UtcNow, fleet.Clock.NowUtcMs));
                return Task.FromResult(alerts.Engine.FlashFlood?.Rain.Newest(site) ?? 0);
            },
            newest => newest >= stormEnd + 600,
            "the node's rain readings past the storm's end",
            seconds: 240);
        await fleet.StopAsync();
        await alerts.Engine.FlushAsync();
        Assert.Empty(fleet.Errors);

        // once each, in order, paged (not late)
        var raised = alerts.Store.ListAlerts(new AlertQuery(Site: site)).Where(a => a.RuleId.StartsWith("flashflood.", StringComparison.Ordinal)).OrderBy(a => a.Since).ToList();
        Assert.Equal(["flashflood.prepare", "flashflood.immediate"], raised.Select(a => a.RuleId));
        Assert.All(raised, a => Assert.False(a.Late));
        foreach (var alert in raised)
        {
            Assert.Single(alerts.Store.Events(alert.Id), e => e.Type == "opened");
        }

        // the engine opens each level at the first reading whose window sums, recomputed here from
        // the gauge's own tip count at the node's reading times, reach a critical value; that reading
        // is at most one sampling gap after the moment the storm's continuous rainfall crossed it (a
        // window of readings may reach back up to one gap further, so it can also come before it)
        var times = alerts.Engine.FlashFlood!.Rain.Increments(site, start, long.MaxValue).Select(i => i.T).ToList();
        var gap = times.Zip(times.Skip(1), (x, y) => y - x).Max();
        var figures = new List<string>();
        foreach (var (alert, level) in raised.Zip(new[] { "prepare", "immediate" }))
        {
            var crossing = CrossingTime(storm, level == "prepare" ? 1 : 2);
            var since = alert.Since.ToUnixTimeSeconds();
            Assert.Equal(FirstReadingAtOrAbove(times, Counted, level == "prepare" ? 1 : 2), since);
            Assert.InRange(since, crossing - gap, crossing + gap);

            var sent = alerts.Store.Outbox(alert.Id).Where(o => o.EventType == "opened" && o.SentAt is not null).Select(o => o.SentAt!.Value).ToList();
            Assert.NotEmpty(sent); // the influx channel delivered it to the real influxd
            var notice = JsonSerializer.Deserialize<AlertNotice>(alerts.Store.Outbox(alert.Id).First(o => o.EventType == "opened").Payload, AlertRule.Json)!;
            Assert.Contains("Shangba village", notice.Action, StringComparison.Ordinal);
            Assert.Contains("Xiaba bridge section", notice.Action, StringComparison.Ordinal);
            Assert.Contains("Li Wei", notice.Action, StringComparison.Ordinal);

            // warning time: simulated seconds from the crossing to the reading that shows it (sampling),
            // and real seconds from the moment the simulated clock passed that reading to the notice leaving
            var shownWall = WallAt(clockTrace, since * 1000);
            figures.Add(string.Create(CultureInfo.InvariantCulture, $"{level}: crossing {DateTimeOffset.FromUnixTimeSeconds(crossing):HH:mm:ss} sim, seen in the reading of {DateTimeOffset.FromUnixTimeSeconds(since):HH:mm:ss} ({since - crossing:+0;-0} s sim, sampling {SampleSec} s, largest gap {gap} s), gateway: reading sampled -> notice sent {(sent.Min() - shownWall).TotalSeconds:0.000} s real (upload, broker, WAL, engine, outbox; at 300x the node's few awake seconds shrink 300-fold), evaluation -> sent {(sent.Min() - alert.DetectedAt).TotalSeconds:0.000} s"));
        }

        Assert.True(raised[0].DetectedAt <= raised[1].DetectedAt);

        // the gateway's rain equals the gauge's tips up to its newest reading (no reboot: one boot)
        var newest = alerts.Engine.FlashFlood!.Rain.Newest(site)!.Value;
        var tips = Counted(newest);
        Assert.Equal(Math.Round(tips * TipMm, 1), alerts.Engine.FlashFlood.Rain.Sum(site, newest, newest - start + 60), 6);
        Assert.Equal(0, alerts.Engine.RainDecreases);
        figures.Add(string.Create(CultureInfo.InvariantCulture, $"rain: gateway sum {alerts.Engine.FlashFlood.Rain.Sum(site, newest, newest - start + 60):0.0} mm = {tips} tips x {TipMm} mm; storm total {storm.Storm.DepthMm(storm.Storm.DurationSec):0.0} mm"));

        // the query API the dashboard reads: the level now, the sums beside the critical values, the increments
        var flood = await gw.Http.GetFromJsonAsync<JsonElement>($"/api/v1/sites/{site}/flood?from={start}&to={newest}");
        Assert.Contains(flood.GetProperty("level").GetString(), new[] { "prepare", "immediate" }); // 10 min after the storm: still within the hold
        Assert.Equal(Math.Round(tips * TipMm, 1), flood.GetProperty("increments").EnumerateArray().Sum(i => i.GetProperty("millimetres").GetDouble()), 6);
        Assert.Equal(Critical.Length, flood.GetProperty("sums").GetArrayLength());
        var noConfig = await gw.Http.GetAsync("/api/v1/sites/nowhere/flood");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, noConfig.StatusCode);

        if (Environment.GetEnvironmentVariable("FLOOD_BENCH_OUT") is { Length: > 0 } path)
        {
            await File.AppendAllLinesAsync(path, figures);
        }
    }

    /// <summary>The first second at which any duration's rainfall (continuous, from the hyetograph) reaches the level's critical value.</summary>
    private static long CrossingTime(StormScenario storm, int level)
    {
        for (var t = storm.StartUtc; t <= storm.StartUtc + (long)storm.Storm.DurationSec; t++)
        {
            foreach (var (minutes, prepare, immediate) in Critical)
            {
                if (storm.DepthMm(t) - storm.DepthMm(t - (minutes * 60)) >= (level == 1 ? prepare : immediate))
                {
                    return t;
                }
            }
        }

        throw new InvalidOperationException("the storm never reaches the level");
    }

    /// <summary>The first reading time whose window sums (gauge tips between readings, as the contract derives them) reach the level.</summary>
    private static long FirstReadingAtOrAbove(List<long> times, Func<long, long> tipsAt, int level)
    {
        foreach (var t in times)
        {
            foreach (var (minutes, prepare, immediate) in Critical)
            {
                var before = times.LastOrDefault(x => x <= t - (minutes * 60)); // 0: none, the boot's whole count
                var mm = (tipsAt(t) - (before == 0 ? 0 : tipsAt(before))) * TipMm;
                if (mm >= (level == 1 ? prepare : immediate) - 1e-9)
                {
                    return t;
                }
            }
        }

        throw new InvalidOperationException("no reading reaches the level");
    }

    /// <summary>The real time at which the simulated clock passed <paramref name="simMs"/>, interpolated from the trace.</summary>
    private static DateTimeOffset WallAt(List<(DateTimeOffset Wall, long SimMs)> trace, long simMs)
    {
        for (var i = 1; i < trace.Count; i++)
        {
            if (trace[i].SimMs >= simMs)
            {
                var (w0, s0) = trace[i - 1];
                var (w1, s1) = trace[i];
                var f = s1 == s0 ? 1 : (double)(simMs - s0) / (s1 - s0);
                return w0 + ((w1 - w0) * Math.Clamp(f, 0, 1));
            }
        }

        return trace[^1].Wall;
    }
}
