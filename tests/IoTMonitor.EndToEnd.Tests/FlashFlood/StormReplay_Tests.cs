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
/// A Chicago design storm replayed through a virtual water node on its normal schedule (900 s,
/// upload 3600 s) with event mode armed at the flash-flood defaults and a tipping bucket counted by
/// the PCF8593 model through the core's rain-pcf8593 driver (the firmware core, simulated sensors,
/// the catchment driving the level probe) against the real gateway (embedded broker, real influxd):
/// the node enters event mode (health ev 1 in InfluxDB) and leaves it after the hold, and
/// prepare then immediate are raised once each, in that
/// order, near the moments the storm's rainfall crosses the critical values, with the targets in
/// the notice, and the gateway's rain sums equal the gauge's tips. With FLOOD_BENCH_OUT set it
/// writes the warning-time figures there (bench/flood/run.sh).
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class StormReplay_Tests(InfluxDbFixture influx)
{
    // the shipped water node's schedule; event mode (the flash-flood defaults of docs/config.md) makes it report in time
    private const int SampleSec = 900;
    private const int UploadSec = 3600;
    private static readonly EventModeSettings Event = EventModeSettings.FlashFloodDefaults;
    private const double TipMm = 0.2; // the catalog's default bucket, as the node's rain-pcf8593 entry and the board's gauge use

    // the goal: crossing -> notice leaving the gateway
    private const double WarningGoalSec = 120;

    // a water node's wake on hardware after its timer fires: the sampling wake (sensor settle) plus
    // what an upload adds, as measured on the runtime model (firmware/README.md "Energy": 6.6 s and
    // 6.4 s); the virtual node's in-wake time is real loopback time, so the hardware figure is added
    private const double HardwareWakeSec = 6.6 + 6.4;

    // the site's critical rainfall (mm) by duration (min), per level: the test site's own, so the
    // pack's defaults for other durations (10/30 min, 3/6/24 h) sit above what this storm reaches there
    private static readonly (int Minutes, double Prepare, double Immediate)[] Critical = [(10, 18, 28), (60, 30, 60), (180, 90, 120), (360, 95, 125), (1440, 100, 160), (30, 40, 50)];

    [Fact]
    public async Task A_replayed_storm_raises_prepare_then_immediate_once_each_to_the_targets_and_sums_equal_the_tips()
    {
        var plan = SiteCatalog.Plan(SiteCatalog.BuiltIn(), "water", 1)[0];
        var site = plan.Site.Id;
        var settings = GatewaySettings(site);
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server, [.. settings]);
        var secret = await gw.EnrolAsync(site, plan.Device);
        var json = DeviceConfigDocument.Build(new DeviceConfigRequest(site, plan.Device, "water", "127.0.0.1", gw.MqttPort, secret, SampleSec: SampleSec, UploadSec: UploadSec, RainGauge: true, EventMode: Event));

        // the fleet starts 6 h back at 300×; the storm begins 20 min in and lasts 3 h, event mode holds 1 h after it
        var start = DateTimeOffset.UtcNow.AddHours(-6).ToUnixTimeSeconds();
        var storm = new StormScenario(StormScenario.DefaultDesignStorm(), start + (20 * 60));
        var spec = new NodeSpec(site, plan.Device, "water", json, plan.Site.Lat, plan.Site.Lon, plan.Site.Alt)
        {
            EnvironmentOptions = new EnvironmentOptions { RainProbabilityPerBlock = 0, Storm = storm },
        };
        // the node keeps its own timer however late the loaded host runs its wakes (at 300x a wake
        // that takes 0.2 s real would otherwise start a whole 60-s event interval late)
        var options = new FleetOptions { Speedup = 300, StartUtcMs = start * 1000, Backfill = TimeSpan.FromHours(6), StartSpread = TimeSpan.Zero, FaultyShare = 0, MaxWakeLag = TimeSpan.FromHours(6) };
        options.Outages.PerDay = 0;
        await using var fleet = new VirtualFleet(options);
        var node = fleet.Add(spec);
        var wakeTrace = new List<(long SimMs, DateTimeOffset Wall)>();
        node.WakeBegan += simMs =>
        {
            lock (wakeTrace)
            {
                wakeTrace.Add((simMs, DateTimeOffset.UtcNow));
            }
        };

        // what the node's PCF8593 counted by a time: the bucket's tips since the driver set the counter up at the node's first wake
        var bucket = node.Board.TippingBucket;
        long Counted(long utc) => bucket.TipsAt(utc) - bucket.TipsWhenZeroed;
        fleet.Start();

        var alerts = gw.Service<AlertsService>();
        var stormEnd = storm.StartUtc + (long)storm.Storm.DurationSec;
        var seenInEvent = false;
        long leftSeenAt = 0;
        await Poll.UntilAsync(
            () =>
            {
                // the node's own time (it may run behind the fleet's clock): the start of its latest wake
                long simMs;
                lock (wakeTrace)
                {
                    simMs = wakeTrace.Count == 0 ? 0 : wakeTrace[^1].SimMs;
                }

                seenInEvent |= node.EventMode;
                if (seenInEvent && !node.EventMode && leftSeenAt == 0)
                {
                    leftSeenAt = simMs / 1000;
                }

                return Task.FromResult(alerts.Engine.FlashFlood?.Rain.Newest(site) ?? 0);
            },
            newest => leftSeenAt > 0 && newest >= leftSeenAt,
            "the node in event mode, out of it after the hold, and its leaving upload at the gateway",
            seconds: 600); // ~80 s on a quiet machine; every one of the ~250 wakes is a real upload, slower under load
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

        // event mode in the health the gateway stored in InfluxDB: ev 1 from the first scheduled
        // sampling at which a threshold was passed, without ev again once the rain has been below its
        // threshold for the hold (the leaving wake uploads too; the level stops rising long before)
        // (protocol §4: a batch sends ev only when not 0; every batch has bat)
        var health = (await influx.Server.RowsAsync($"SELECT \"bat\", \"ev\" FROM \"health\" WHERE \"device\" = '{plan.Device}'", gw.Database))
            .Select(r => (T: r["time"].GetInt64() / 1_000_000_000, Ev: r["ev"].ValueKind == JsonValueKind.Number ? r["ev"].GetInt32() : 0))
            .OrderBy(r => r.T)
            .ToList();
        var entered = health.First(h => h.Ev == 1).T;
        var left = health.First(h => h.T > entered && h.Ev == 0).T;
        Assert.DoesNotContain(health, h => h.T > left && h.Ev == 1); // one event, entered and left once
        Assert.Contains(health, h => h.T < entered && h.Ev == 0);
        var slot = (Event.RainWindowSec / (23 * 1.0)) + 1; // the node judges its windows to within one history slot
        // whichever comes first: 5 mm of rain in 30 min, or the level 0.3 m above its 30-min low (in
        // this small catchment the level, steep at low flow, comes first)
        var reaches = Math.Min(FirstWindowAtOrAbove(storm, Event.RainWindowSec, Event.RainMm), FirstRiseAtOrAbove(storm, Event.RiseWindowSec, Event.RiseM));
        Assert.InRange(entered, reaches - slot, reaches + SampleSec + slot + 60);
        var rainClear = LastWindowAtOrAbove(storm, Event.RainWindowSec, Event.RainMm);
        // the node's window counts whole tips and starts at a history slot: a new slot opens at the
        // first sampling at least `slot` after the last (two 60-s samplings), and the tip count stays
        // at the threshold until the window has lost one more tip than the continuous rain has
        var slotOpened = Math.Ceiling(slot / Event.SampleSec) * Event.SampleSec;
        var tipClear = LastWindowAtOrAbove(storm, Event.RainWindowSec, Event.RainMm - TipMm);
        Assert.InRange(left, rainClear + Event.HoldSec - slot, tipClear + Event.HoldSec + slotOpened + (2 * Event.SampleSec) + 60);

        // the readings between entering and leaving: the node's event-mode sampling, one every
        // eventSampleSec (to the node's whole-second sleep), none skipped
        var eventTimes = times.Where(t => t >= entered && t <= left).ToList();
        var gap = eventTimes.Zip(eventTimes.Skip(1), (x, y) => y - x).Max();
        // (a reading's stamp moves with its wake's awake time: sensor settle, the link's real time under load)
        Assert.InRange(gap, Event.SampleSec - 10, Event.SampleSec + 10);
        var figures = new List<string>();
        foreach (var (alert, level) in raised.Zip(new[] { "prepare", "immediate" }))
        {
            var crossing = CrossingTime(storm, level == "prepare" ? 1 : 2);
            var since = alert.Since.ToUnixTimeSeconds();
            Assert.Equal(FirstReadingAtOrAbove(times, Counted, level == "prepare" ? 1 : 2), since);
            Assert.InRange(since, crossing - gap, crossing + gap); // a window of readings reaches back to the reading before it
            Assert.InRange(since, entered, left); // seen in an event-mode reading

            var sent = alerts.Store.Outbox(alert.Id).Where(o => o.EventType == "opened" && o.SentAt is not null).Select(o => o.SentAt!.Value).ToList();
            Assert.NotEmpty(sent); // the influx channel delivered it to the real influxd
            var notice = JsonSerializer.Deserialize<AlertNotice>(alerts.Store.Outbox(alert.Id).First(o => o.EventType == "opened").Payload, AlertRule.Json)!;
            Assert.Contains("Shangba village", notice.Action, StringComparison.Ordinal);
            Assert.Contains("Xiaba bridge section", notice.Action, StringComparison.Ordinal);
            Assert.Contains("Li Wei", notice.Action, StringComparison.Ordinal);

            // warning time = sampling (simulated seconds from the crossing to the reading that shows
            // it; 0 when the window of readings reached the value first) + the node's wake on
            // hardware + the real seconds from the start of the virtual node's wake that took the
            // reading to the notice leaving (its loopback upload, broker, WAL, engine, outbox)
            var wakeWall = WakeWallAt(wakeTrace, since);
            var sampling = Math.Max(0, since - crossing);
            var real = (sent.Min() - wakeWall).TotalSeconds;
            var warning = sampling + HardwareWakeSec + real;
            Assert.True(warning < WarningGoalSec, $"{level}: warning time {warning:0.0} s = sampling {sampling} s + node wake {HardwareWakeSec} s + wake start -> notice sent {real:0.000} s");
            figures.Add(string.Create(CultureInfo.InvariantCulture, $"{level}: crossing {DateTimeOffset.FromUnixTimeSeconds(crossing):HH:mm:ss} sim, seen in the reading of {DateTimeOffset.FromUnixTimeSeconds(since):HH:mm:ss} ({since - crossing:+0;-0} s sim, event-mode sampling {Event.SampleSec} s, largest gap in the event {gap} s; event mode {DateTimeOffset.FromUnixTimeSeconds(entered):HH:mm:ss}-{DateTimeOffset.FromUnixTimeSeconds(left):HH:mm:ss}); wake start -> notice sent {real:0.000} s real, evaluation -> sent {(sent.Min() - alert.DetectedAt).TotalSeconds:0.000} s; warning time {warning:0.0} s (sampling {sampling} + node wake {HardwareWakeSec} + {real:0.000})"));
        }

        Assert.True(raised[0].DetectedAt <= raised[1].DetectedAt);

        // the gateway's rain equals the gauge's tips up to its newest reading (no reboot: one boot)
        var newest = alerts.Engine.FlashFlood!.Rain.Newest(site)!.Value;
        var tips = Counted(newest);
        Assert.Equal(Math.Round(tips * TipMm, 1), alerts.Engine.FlashFlood.Rain.Sum(site, newest, newest - start + 60), 6);
        Assert.Equal(0, alerts.Engine.RainDecreases);
        Assert.Contains("iotmon_alert_rain_decreases_total 0", await gw.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);
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

    [Fact]
    public async Task A_storm_from_dry_to_critical_within_one_sampling_interval_is_warned_within_two_minutes_of_each_crossing()
    {
        var plan = SiteCatalog.Plan(SiteCatalog.BuiltIn(), "water", 1)[0];
        var site = plan.Site.Id;
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server, [.. GatewaySettings(site)]);
        var secret = await gw.EnrolAsync(site, plan.Device);
        var json = DeviceConfigDocument.Build(new DeviceConfigRequest(site, plan.Device, "water", "127.0.0.1", gw.MqttPort, secret, SampleSec: SampleSec, UploadSec: UploadSec, RainGauge: true, EventMode: Event));

        // The node samples at ≈ 0 s and ≈ 900 s (plus its awake time). A burst begins 60 s after the
        // second sampling: 0.5 mm, then 3 mm a minute for 14 minutes (180 mm/h), then it eases off.
        // Event mode's 5 mm comes ≈ 2 min in, the 10-min prepare (18 mm) ≈ 6 min in and the 10-min
        // immediate (28 mm) ≈ 10 min in: every crossing falls before the next scheduled sampling
        // (≈ 1 800 s), which alone would see them up to ~900 s late.
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        var burst = new RecordedStorm(1, [0.5, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 1, 0.5]);
        var storm = new StormScenario(burst, start + SampleSec + 60);
        var spec = new NodeSpec(site, plan.Device, "water", json, plan.Site.Lat, plan.Site.Lon, plan.Site.Alt)
        {
            EnvironmentOptions = new EnvironmentOptions { RainProbabilityPerBlock = 0, Storm = storm },
        };
        var options = new FleetOptions { Speedup = 300, StartUtcMs = start * 1000, Backfill = TimeSpan.FromHours(1), StartSpread = TimeSpan.Zero, FaultyShare = 0, MaxWakeLag = TimeSpan.FromHours(1) };
        options.Outages.PerDay = 0;
        await using var fleet = new VirtualFleet(options);
        var node = fleet.Add(spec);
        var wakeTrace = new List<(long SimMs, DateTimeOffset Wall)>();
        node.WakeBegan += simMs =>
        {
            lock (wakeTrace)
            {
                wakeTrace.Add((simMs, DateTimeOffset.UtcNow));
            }
        };

        fleet.Start();
        var alerts = gw.Service<AlertsService>();
        List<Alert> Raised() => alerts.Store.ListAlerts(new AlertQuery(Site: site)).Where(a => a.RuleId.StartsWith("flashflood.", StringComparison.Ordinal)).OrderBy(a => a.Since).ToList();
        bool Sent(Alert a) => alerts.Store.Outbox(a.Id).Any(o => o.EventType == "opened" && o.SentAt is not null);
        await Poll.UntilAsync(
            () => Task.FromResult(Raised().Count(Sent)),
            n => n >= 2,
            "prepare and immediate raised and their notices sent",
            seconds: 300);
        await fleet.StopAsync();
        await alerts.Engine.FlushAsync();
        Assert.Empty(fleet.Errors);

        var raised = Raised();
        Assert.Equal(["flashflood.immediate", "flashflood.prepare"], raised.Select(a => a.RuleId).Order()); // once each
        Assert.True(raised[0].DetectedAt <= raised[1].DetectedAt);
        var figures = new List<string>();
        foreach (var alert in raised)
        {
            var level = alert.RuleId["flashflood.".Length..];
            var crossing = CrossingTime(storm, level == "prepare" ? 1 : 2);
            Assert.True(crossing < start + (2 * SampleSec), $"{level}: the burst must cross before the next scheduled sampling");
            var since = alert.Since.ToUnixTimeSeconds();
            var sent = alerts.Store.Outbox(alert.Id).Where(o => o.EventType == "opened" && o.SentAt is not null).Select(o => o.SentAt!.Value).Min();
            var sampling = Math.Max(0, since - crossing);
            var real = (sent - WakeWallAt(wakeTrace, since)).TotalSeconds;
            var warning = sampling + HardwareWakeSec + real;
            Assert.True(warning < WarningGoalSec, $"{level}: warning time {warning:0.0} s = sampling {sampling} s + node wake {HardwareWakeSec} s + wake start -> notice sent {real:0.000} s (crossing {crossing - start} s after start)");
            figures.Add(string.Create(CultureInfo.InvariantCulture, $"burst {level}: crossing {crossing - storm.StartUtc} s into the burst, seen in the reading {since - crossing:+0;-0} s after it (INT wakes {node.CounterWakes}); wake start -> notice sent {real:0.000} s real; warning time {warning:0.0} s (sampling {sampling} + node wake {HardwareWakeSec} + {real:0.000})"));
        }

        Assert.True(node.CounterWakes >= 1, "the rain counter's INT never woke the node");

        if (Environment.GetEnvironmentVariable("FLOOD_BENCH_OUT") is { Length: > 0 } path)
        {
            await File.AppendAllLinesAsync(path, figures);
        }
    }

    /// <summary>The gateway's settings of both replays: the test site's critical rainfall and its targets.</summary>
    private static List<string> GatewaySettings(string site)
    {
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

        return settings;
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

    /// <summary>The first second at which the storm's rainfall over <paramref name="windowSec"/> reaches <paramref name="mm"/>.</summary>
    private static long FirstWindowAtOrAbove(StormScenario storm, int windowSec, double mm)
    {
        for (var t = storm.StartUtc; t <= storm.StartUtc + (long)storm.Storm.DurationSec; t++)
        {
            if (storm.DepthMm(t) - storm.DepthMm(t - windowSec) >= mm)
            {
                return t;
            }
        }

        throw new InvalidOperationException("the storm never reaches the event threshold");
    }

    /// <summary>The first minute at which the storm's level is <paramref name="riseM"/> above its lowest value within <paramref name="windowSec"/>.</summary>
    private static long FirstRiseAtOrAbove(StormScenario storm, int windowSec, double riseM)
    {
        for (var t = storm.StartUtc; t <= storm.StartUtc + (long)storm.Storm.DurationSec; t += 60)
        {
            var low = double.MaxValue;
            for (var u = t - windowSec; u <= t; u += 60)
            {
                low = Math.Min(low, storm.LevelM(u));
            }

            if (storm.LevelM(t) - low >= riseM)
            {
                return t;
            }
        }

        return long.MaxValue;
    }

    /// <summary>The last second at which the storm's rainfall over <paramref name="windowSec"/> is still at least <paramref name="mm"/>.</summary>
    private static long LastWindowAtOrAbove(StormScenario storm, int windowSec, double mm)
    {
        for (var t = storm.StartUtc + (long)storm.Storm.DurationSec + windowSec; t >= storm.StartUtc; t--)
        {
            if (storm.DepthMm(t) - storm.DepthMm(t - windowSec) >= mm)
            {
                return t;
            }
        }

        throw new InvalidOperationException("the storm never reaches the event threshold");
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

    /// <summary>The real time at which the node's wake that took the reading of <paramref name="readingSec"/> began.</summary>
    private static DateTimeOffset WakeWallAt(List<(long SimMs, DateTimeOffset Wall)> trace, long readingSec)
    {
        lock (trace)
        {
            // the reading is stamped in whole seconds within its wake
            return trace.Last(w => w.SimMs <= (readingSec * 1000) + 999).Wall;
        }
    }
}
