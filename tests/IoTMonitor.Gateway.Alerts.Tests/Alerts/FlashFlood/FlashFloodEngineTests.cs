using System.Text.Json;
using IoTMonitor.Gateway.Alerts.FlashFlood;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.FlashFlood;

/// <summary>
/// Flash-flood levels through the engine (manual clock, real SQLite store, the gateway's channels):
/// prepare then immediate once each, the targets in the notice and on SMS, acknowledgement, the all
/// clear after the hold, and exact sums across lost, duplicated and late batches.
/// </summary>
public sealed class FlashFloodEngineTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 20, 6, 0, 0, TimeSpan.Zero);
    private static readonly long S0 = T0.ToUnixTimeSeconds();
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-flood-").FullName;
    private readonly ManualTimeProvider _clock = new(T0);
    private readonly List<AlertEngine> _engines = [];

    private readonly AlertsOptions _options = new()
    {
        Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
        Sms = { UrlTemplate = "http://127.0.0.1:9/sms?to={to}&text={text}" },
        Primary = { Phones = ["+8613900000000"] },
        Influx = { Enabled = false },
        Mqtt = { Enabled = false },
        TickSeconds = 3600,
        RenotifyMinutes = 0,
        EscalateMinutes = 0,
        FlashFlood =
        {
            PackPath = Path.Combine(AppContext.BaseDirectory, "Alerts", "RulePacks", "flashflood.json"),
            Sites =
            {
                ["gully"] = new FlashFloodSite
                {
                    Prepare = { [60] = 20 },
                    Immediate = { [60] = 40 },
                    Source = "test site: 1 h critical rainfall 20 / 40 mm",
                    Targets =
                    {
                        new WarningTarget
                        {
                            Name = "Shangba village", People = 120, Shelter = "primary school on the ridge",
                            Immediate = "leave the stream bank now",
                            Contacts = { new WarningContact { Name = "Li Wei", Role = "village head", Phone = "+8613800000001" } },
                        },
                    },
                },
            },
        },
    };

    private AlertEngine Engine(IDictionary<string, string?>? channelSettings = null)
    {
        var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(Path.Combine(_dir, "alerts.db"));
        var channels = channelSettings is null ? TestChannels.Of(_options) : TestChannels.Of(_options, channelSettings);
        var engine = new AlertEngine(_options, store, channels, _clock, NullLogger.Instance) { GroupBudget = TimeSpan.FromMinutes(5) };
        _engines.Add(engine);
        engine.Start();
        return engine;
    }

    /// <summary>A gauge's batch: rain.total readings (boot, n, minute after S0, total).</summary>
    private static ReadingsDurableEventArgs Rain(long boot, params (long N, int Minute, double Total)[] readings)
    {
        var result = new DecodeResult { Site = "gully", Device = "gauge1", Boot = boot, Battery = 3.9, HealthTime = S0 };
        foreach (var (n, minute, total) in readings)
        {
            result.Readings.Add(new Reading { N = n, T = S0 + 60 * minute, Quantity = Quantities.Find("rain.total")!, Value = total, Index = result.Readings.Count });
        }

        return new ReadingsDurableEventArgs(result, T0);
    }

    private async Task Feed(AlertEngine engine, int minute, ReadingsDurableEventArgs batch)
    {
        _clock.Now = T0.AddMinutes(minute);
        engine.OnReadingsDurable(this, batch);
        await engine.FlushAsync();
    }

    private static List<(string Rule, string Type)> Events(AlertEngine engine) =>
        engine.Store.ListAlerts(new AlertQuery(Site: "gully"))
            .SelectMany(a => engine.Store.Events(a.Id).Select(e => (a.RuleId, e.Type, e.At)))
            .OrderBy(e => e.At).ThenBy(e => e.RuleId == "flashflood.immediate")
            .Select(e => (e.RuleId, e.Type)).ToList();

    [Fact]
    public async Task A_storm_raises_prepare_then_immediate_once_each_names_the_targets_and_clears_after_the_hold()
    {
        var engine = Engine();

        // 1 mm per minute for 50 minutes, one batch per minute; some batches repeated
        for (var m = 1; m <= 50; m++)
        {
            await Feed(engine, m, Rain(1, (m, m, m)));
            if (m % 7 == 0)
            {
                await Feed(engine, m, Rain(1, (m, m, m))); // a redelivery: nothing counted twice
            }
        }

        Assert.Equal([("flashflood.prepare", "opened"), ("flashflood.immediate", "opened")], Events(engine));
        var prepare = engine.Store.ListAlerts(new AlertQuery(RuleId: "flashflood.prepare")).Single();
        var immediate = engine.Store.ListAlerts(new AlertQuery(RuleId: "flashflood.immediate")).Single();
        Assert.Equal(S0 + 20 * 60, prepare.Since.ToUnixTimeSeconds()); // 20 mm in the hour reached at minute 20
        Assert.Equal(S0 + 40 * 60, immediate.Since.ToUnixTimeSeconds());
        Assert.Equal(50, engine.FlashFlood!.Rain.Sum("gully", S0 + 50 * 60, 3600));

        var sms = engine.Store.Outbox().Where(o => o.Channel == "sms" && o.EventType == "opened").ToList();
        Assert.Contains(sms, o => o.Recipient == "+8613800000001" && o.AlertId == immediate.Id);
        Assert.Contains(sms, o => o.Recipient == "+8613900000000" && o.AlertId == immediate.Id);
        var notice = JsonSerializer.Deserialize<AlertNotice>(sms.First(o => o.AlertId == immediate.Id).Payload, AlertRule.Json)!;
        Assert.Contains("Shangba village", notice.Action, StringComparison.Ordinal);
        Assert.Contains("leave the stream bank now", notice.Action, StringComparison.Ordinal);
        Assert.Contains("primary school on the ridge", notice.Action, StringComparison.Ordinal);
        Assert.Contains("Li Wei", notice.Action, StringComparison.Ordinal);
        Assert.Contains("1 h rain 40.0 mm ≥ 40.0 mm", notice.Trend, StringComparison.Ordinal);

        Assert.NotNull(engine.Acknowledge(immediate.Id, "duty officer", null));

        // the rain stops: the 1-h sum at minute m ≥ 60 is 110 − m, below 40 mm from minute 71 and below 20 from 91; all clear 30 min later
        for (var m = 51; m <= 130; m++)
        {
            await Feed(engine, m, Rain(1, (m, m, 50)));
        }

        var events = Events(engine);
        Assert.Equal(
            [("flashflood.prepare", "opened"), ("flashflood.immediate", "opened"), ("flashflood.immediate", "acknowledged"), ("flashflood.immediate", "resolved"), ("flashflood.prepare", "resolved")],
            events);
        Assert.Equal(T0.AddMinutes(101), engine.Store.GetAlert(immediate.Id)!.ResolvedAt);
        Assert.Equal(T0.AddMinutes(121), engine.Store.GetAlert(prepare.Id)!.ResolvedAt);
    }

    [Fact]
    public async Task The_group_robots_get_both_levels_and_the_all_clear_in_Chinese_naming_the_targets()
    {
        _options.FlashFlood.Sites["gully"].Targets[0].Name = "上坝村";
        _options.FlapWindowSeconds = 0; // the all clear at once, not after the flap window
        var robots = new Dictionary<string, string?>
        {
            ["Channels:WeCom:Robots:duty:Url"] = "http://127.0.0.1:9/cgi-bin/webhook/send?key=k",
            ["Channels:DingTalk:Robots:duty:Url"] = "http://127.0.0.1:9/robot/send?access_token=t",
        };
        var engine = Engine(robots);
        for (var m = 1; m <= 50; m++)
        {
            await Feed(engine, m, Rain(1, (m, m, m)));
        }

        for (var m = 51; m <= 130; m++)
        {
            await Feed(engine, m, Rain(1, (m, m, 50)));
        }

        var wecom = new IoTMonitor.Gateway.Alerts.Channels.WeCom.WeComOptions();
        var ding = new IoTMonitor.Gateway.Alerts.Channels.DingTalk.DingTalkOptions();
        foreach (var (rule, nameZh) in new[] { ("flashflood.prepare", "准备转移"), ("flashflood.immediate", "立即转移") })
        {
            var alert = engine.Store.ListAlerts(new AlertQuery(RuleId: rule)).Single();
            var rows = engine.Store.Outbox(alert.Id);
            foreach (var channel in new[] { "wecom", "dingtalk" })
            {
                // one row per robot and event: opened and the all clear, once each
                Assert.Equal(["opened", "resolved"], rows.Where(o => o.Channel == channel).Select(o => o.EventType).Order(StringComparer.Ordinal));
                Assert.All(rows.Where(o => o.Channel == channel), o => Assert.Equal("duty", o.Recipient));
            }

            var opened = JsonSerializer.Deserialize<AlertNotice>(rows.First(o => o.Channel == "wecom" && o.EventType == "opened").Payload, AlertRule.Json)!;
            foreach (var body in new[] { IoTMonitor.Gateway.Alerts.Channels.WeCom.WeComChannel.Body(wecom, opened), IoTMonitor.Gateway.Alerts.Channels.DingTalk.DingTalkChannel.Body(ding, opened) })
            {
                var content = Strings(JsonDocument.Parse(body).RootElement);
                Assert.Contains(nameZh, content, StringComparison.Ordinal);
                Assert.Contains("上坝村", content, StringComparison.Ordinal);
            }
        }

        // the text the robot posts: every string of its request body
        static string Strings(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => string.Join("\n", e.EnumerateObject().Select(p => Strings(p.Value))),
            JsonValueKind.Array => string.Join("\n", e.EnumerateArray().Select(Strings)),
            JsonValueKind.String => e.GetString()!,
            _ => string.Empty,
        };
    }

    [Fact]
    public async Task Lost_and_late_batches_give_the_same_sums_and_one_notice_per_level()
    {
        var engine = Engine();
        var held = new List<(int Minute, ReadingsDurableEventArgs Batch)>();
        for (var m = 1; m <= 45; m++)
        {
            var batch = Rain(1, (m, m, m));
            if (m % 5 == 0)
            {
                held.Add((m, batch)); // delivered late, after the later ones
                continue;
            }

            if (m == 33)
            {
                continue; // lost for good: its rain falls into minute 34's increment
            }

            await Feed(engine, m, batch);
        }

        foreach (var (_, batch) in held)
        {
            await Feed(engine, 45, batch);
        }

        Assert.Equal(45, engine.FlashFlood!.Rain.Sum("gully", S0 + 45 * 60, 3600));
        Assert.Equal(2, engine.FlashFlood.Rain.Increment("gully", "gauge1", 1, 34)); // 33 lost
        Assert.Equal(1, engine.FlashFlood.Rain.Increment("gully", "gauge1", 1, 36)); // 35 came late and split it
        Assert.Equal([("flashflood.prepare", "opened"), ("flashflood.immediate", "opened")], Events(engine));
    }

    [Fact]
    public async Task A_gateway_restart_keeps_the_rain_and_a_redelivered_batch_after_it_counts_nothing()
    {
        var engine = Engine();
        for (var m = 1; m <= 15; m++)
        {
            await Feed(engine, m, Rain(1, (m, m, m)));
        }

        await engine.DisposeAsync();
        _engines.Remove(engine);
        var again = Engine();
        await Feed(again, 15, Rain(1, (15, 15, 15))); // resent after the restart
        Assert.Equal(15, again.FlashFlood!.Rain.Sum("gully", S0 + 15 * 60, 3600));
        for (var m = 16; m <= 21; m++)
        {
            await Feed(again, m, Rain(1, (m, m, m)));
        }

        Assert.Equal([("flashflood.prepare", "opened")], Events(again));
    }

    [Fact]
    public async Task A_total_lower_than_its_predecessor_counts_zero_and_is_counted()
    {
        var engine = Engine();
        await Feed(engine, 1, Rain(1, (1, 1, 5.0), (2, 2, 0.3), (3, 3, 1.0)));
        Assert.Equal(1, engine.RainDecreases);
        Assert.Equal(5.7, engine.FlashFlood!.Rain.Sum("gully", S0 + 180, 3600));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in _engines)
        {
            await engine.DisposeAsync();
            engine.Store.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
