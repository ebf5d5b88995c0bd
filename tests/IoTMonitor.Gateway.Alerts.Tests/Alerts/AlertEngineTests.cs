using System.Text;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Gateway.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

public sealed class AlertEngineTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-alert-engine-").FullName;
    private readonly ManualTimeProvider _clock = new(T0);
    private readonly AlertsOptions _options = new()
    {
        Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
        Email = { Host = "127.0.0.1", From = "alerts@example.org" },
        Sms = { UrlTemplate = "http://127.0.0.1:9/sms?to={to}&text={text}" },
        Primary = { Emails = ["duty@example.org"], Phones = ["+8613800000000"] },
        Escalation = { Emails = ["chief@example.org"], Phones = ["+8613900000000"] },
        Influx = { Enabled = false },
        Mqtt = { Enabled = true },
        RenotifyMinutes = 10,
        EscalateMinutes = 25,
        MaxRenotifications = 1,
        FlapWindowSeconds = 600,
        FlapThreshold = 3,
    };

    private AlertStore? _store;

    private AlertEngine Engine(params AlertRule[] rules)
    {
        _store ??= new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(Path.Combine(_dir, "alerts.db"));
        foreach (var r in rules)
        {
            _store.SeedRule(r, T0);
        }

        return new AlertEngine(_options, _store, TestChannels.Of(_options), _clock, NullLogger.Instance);
    }

    private static AlertRule Level(string per = "device") => new()
    {
        Id = "level.high",
        Name = "Water level high",
        Kind = RuleKind.Threshold,
        Quantity = "water.level",
        Above = 3.5,
        Hysteresis = 0.1,
        Severity = Severity.Critical,
        Per = per,
        Source = "site-specific",
        Action = "Warn downstream",
    };

    private void Send(AlertEngine e, string device, double value, long? t = null, string site = "s1") =>
        e.EvaluateBatch(site, device, [(t ?? _clock.GetUtcNow().ToUnixTimeSeconds(), "water.level", value, 0)], 3.9, _clock.GetUtcNow().ToUnixTimeSeconds());

    private List<OutboxEntry> Outbox(string? status = null) => _store!.Outbox(status: status);

    [Fact]
    public void Crossing_opens_one_alert_and_queues_each_channel_once()
    {
        var e = Engine(Level());
        Send(e, "d1", 3.0);
        Send(e, "d1", 3.8);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Send(e, "d1", 3.9);
        Send(e, "d1", 4.2);
        var alert = Assert.Single(_store!.ListActive());
        Assert.Equal(4.2, alert.Worst);
        Assert.False(alert.Late);
        var channels = Outbox().Select(o => o.Channel).OrderBy(c => c).ToList();
        Assert.Equal(["email", "mqtt", "sms", "webhook"], channels);
        Assert.All(Outbox(), o => Assert.StartsWith(o.EventId + ":" + o.Channel + ":", o.Key, StringComparison.Ordinal));
        var notice = System.Text.Json.JsonSerializer.Deserialize<AlertNotice>(Outbox().First().Payload, AlertRule.Json)!;
        Assert.Contains("Water level high", notice.ShortText(), StringComparison.Ordinal);
        Assert.Contains("Do: Warn downstream", notice.ShortText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Backlog_exceedance_is_recorded_late_and_pages_nobody_until_it_is_live()
    {
        var e = Engine(Level());
        var old = T0.AddHours(-3).ToUnixTimeSeconds();
        e.EvaluateBatch("s1", "d1", [(old, "water.level", 3.0, 0), (old + 600, "water.level", 4.0, 0), (old + 1200, "water.level", 4.1, 0), (old + 1800, "water.level", 3.0, 0)], 3.9, old);
        var alert = Assert.Single(_store!.ListAlerts(new AlertQuery()));
        Assert.True(alert.Late);
        Assert.Equal(AlertStates.Resolved, alert.State);
        Assert.DoesNotContain(Outbox(), o => o.Channel is "email" or "sms");
        Assert.Contains(Outbox(), o => o.Channel == "webhook" && o.Payload.Contains("\"late\":true", StringComparison.Ordinal));

        // an exceedance in the backlog that is still on when live data arrives is paged then
        e.EvaluateBatch("s1", "d2", [(old, "water.level", 4.0, 0)], 3.9, old);
        Assert.DoesNotContain(Outbox(), o => o.Channel == "email");
        var history = _store.ListActive().Single(a => a.Device == "d2");
        Assert.True(history.Late);
        Assert.Null(e.Acknowledge(history.Id, "duty", null));
        Send(e, "d2", 4.3);
        var live = _store.ListActive().Single(a => a.Device == "d2");
        Assert.False(live.Late);
        Assert.Single(Outbox(), o => o.Channel == "email" && o.AlertId == live.Id);
    }

    [Fact]
    public void Flapping_value_reopens_the_same_alert_and_pages_once()
    {
        var e = Engine(Level());
        for (var i = 0; i < 10; i++)
        {
            Send(e, "d1", 4.0);
            _clock.Advance(TimeSpan.FromSeconds(20));
            Send(e, "d1", 3.0);
            _clock.Advance(TimeSpan.FromSeconds(20));
        }

        var alert = Assert.Single(_store!.ListAlerts(new AlertQuery()));
        Assert.True(alert.Flapping);
        Assert.Single(Outbox(), o => o.Channel == "email" && o.EventType == AlertEventTypes.Opened);
        Assert.Single(Outbox(), o => o.Channel == "sms");
        Assert.Single(Outbox(), o => o.Channel == "webhook" && o.EventType == AlertEventTypes.Flapping);
        // nine resolved notices were cancelled before they were due; the last one waits for the flap window
        Assert.Equal(9 * 3, Outbox("cancelled").Count); // webhook, mqtt and email of each resolve that was followed by a reopen
        Assert.All(Outbox("pending").Where(o => o.EventType == AlertEventTypes.Resolved), o => Assert.True(o.Due >= _clock.GetUtcNow().AddSeconds(500)));
    }

    [Fact]
    public void Unacknowledged_alert_is_renotified_then_escalated_and_ack_stops_it()
    {
        var e = Engine(Level());
        Send(e, "d1", 4.0);
        _clock.Advance(TimeSpan.FromMinutes(11));
        e.Tick();
        Assert.Single(Outbox(), o => o.EventType == AlertEventTypes.Renotified && o.Recipient == "duty@example.org");
        _clock.Advance(TimeSpan.FromMinutes(11));
        e.Tick(); // max one re-notification
        Assert.Single(Outbox(), o => o.EventType == AlertEventTypes.Renotified && o.Channel == "email");
        _clock.Advance(TimeSpan.FromMinutes(4));
        e.Tick();
        Assert.Single(Outbox(), o => o.EventType == AlertEventTypes.Escalated && o.Recipient == "chief@example.org");
        Assert.Single(Outbox(), o => o.EventType == AlertEventTypes.Escalated && o.Recipient == "+8613900000000");

        var e2 = Engine();
        var id = _store!.ListActive().Single().Id;
        Assert.NotNull(e2.Acknowledge(id, "duty officer", "on my way"));
        Assert.Null(e2.Acknowledge(id, "again", null));
        _clock.Advance(TimeSpan.FromHours(2));
        e2.Tick();
        Assert.Equal(2, Outbox().Count(o => o.Channel == "email" && o.EventType is AlertEventTypes.Renotified or AlertEventTypes.Escalated));
        Assert.Contains(_store.Events(id), ev => ev.Type == AlertEventTypes.Acknowledged);
        Assert.NotNull(e2.Resolve(id, "duty officer", "water receding"));
        Assert.Equal(AlertStates.Resolved, _store.GetAlert(id)!.State);
    }

    [Fact]
    public void Evaluation_window_survives_a_restart()
    {
        var rule = Level();
        rule.MinDurationSeconds = 600;
        var e = Engine(rule);
        Send(e, "d1", 4.0);
        _clock.Advance(TimeSpan.FromMinutes(6));
        Send(e, "d1", 4.0);
        Assert.Empty(_store!.ListActive());
        var restarted = Engine(); // same database, new engine
        _clock.Advance(TimeSpan.FromMinutes(5));
        Send(restarted, "d1", 4.0);
        Assert.Single(_store.ListActive());
    }

    [Fact]
    public void Per_site_rule_keeps_one_alert_until_every_device_is_clear()
    {
        var e = Engine(Level(per: "site"));
        Send(e, "d1", 4.0);
        Send(e, "d2", 4.5);
        var alert = Assert.Single(_store!.ListActive());
        Assert.Equal("s1", alert.Subject);
        Send(e, "d1", 3.0);
        Assert.Single(_store.ListActive());
        Send(e, "d2", 3.0);
        Assert.Empty(_store.ListActive());
    }

    [Fact]
    public void Sleeping_node_is_silent_only_after_K_missed_announced_reports()
    {
        var rule = new AlertRule { Id = "silence", Name = "Node silent", Kind = RuleKind.Silence, MissedReports = 3, GraceSeconds = 60, Source = "test" };
        var e = Engine(rule);
        Send(e, "d1", 1.0);
        Status(e, "d1", """{"v":1,"state":"online","wake":900}""");
        Status(e, "d1", $$"""{"v":1,"state":"sleeping","next":{{T0.ToUnixTimeSeconds() + 900}},"clk":{{T0.ToUnixTimeSeconds()}}}""");
        foreach (var minutes in new[] { 14, 16, 30, 45 })
        {
            _clock.Now = T0.AddMinutes(minutes);
            e.Tick();
            Assert.Empty(_store!.ListActive());
        }

        _clock.Now = T0.AddMinutes(47); // 900 + 60 + 2 × 900 s = 46 min: third report missed
        e.Tick();
        Assert.Single(_store!.ListActive());
        Send(e, "d1", 1.0);
        e.Tick();
        Assert.Empty(_store.ListActive());
    }

    [Fact]
    public void Site_comes_from_the_registry_profile_read_at_evaluation_with_config_overriding_fields()
    {
        var profiles = new Dictionary<string, Registry.SiteProfile>
        {
            ["s1"] = new("s1", "Qingshui bridge", T0, 32.05, 118.79, "Huai", Registry.SiteTypes.Canal),
        };
        var rule = Level();
        rule.Scope = new RuleScope { SiteTypes = [Registry.SiteTypes.River], Basins = ["huai"] };
        _store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(Path.Combine(_dir, "alerts.db"));
        _store.SeedRule(rule, T0);
        _options.Sites["s1"] = new SiteInfo { Name = "Qingshui bridge (gauge 2)" }; // overrides the name only
        var e = new AlertEngine(_options, _store, TestChannels.Of(_options), _clock, NullLogger.Instance, id => profiles.GetValueOrDefault(id));

        Send(e, "d1", 3.9);
        Assert.Empty(_store.ListActive()); // a canal: out of scope

        profiles["s1"] = profiles["s1"] with { Type = Registry.SiteTypes.River }; // PUT /api/v1/sites/s1 changed the type
        _clock.Advance(TimeSpan.FromSeconds(10));
        Send(e, "d1", 4.0);
        Assert.Single(_store.ListActive());
        var notice = System.Text.Json.JsonSerializer.Deserialize<AlertNotice>(Outbox().First(o => o.Channel == "webhook").Payload, AlertRule.Json)!;
        Assert.Equal("Qingshui bridge (gauge 2)", notice.SiteName);
        Assert.Equal("river", notice.SiteType);
        Assert.Contains("basin Huai, 32.05N 118.79E", notice.Text(), StringComparison.Ordinal);

        Assert.Null(e.SiteOf("unknown"));
        _options.Sites["s9"] = new SiteInfo { Type = Registry.SiteTypes.Lake, Latitude = 36.9, Longitude = 100.2 }; // no profile: config alone
        var s9 = e.SiteOf("s9")!;
        Assert.Equal(("lake", 36.9, 100.2), (s9.Type, s9.Latitude, s9.Longitude));
    }

    [Fact]
    public void Site_overrides_in_configuration_are_checked_against_the_vocabulary()
    {
        var options = new AlertsOptions();
        options.Sites["s1"] = new SiteInfo { Type = "drinking" };
        options.Sites["s2"] = new SiteInfo { Latitude = 30 };
        options.Sites["s3"] = new SiteInfo { Type = Registry.SiteTypes.DrinkingWaterSource, Latitude = 30, Longitude = 120 };
        var errors = options.Validate().ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, m => m.StartsWith("Alerts:Sites:s1: type must be one of", StringComparison.Ordinal) && m.Contains("drinking_water_source", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.StartsWith("Alerts:Sites:s2:", StringComparison.Ordinal));
    }

    private static void Status(AlertEngine e, string device, string json)
    {
        e.ApplyStatus("s1", device, Encoding.UTF8.GetBytes(json));
    }

    public void Dispose()
    {
        _store?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
