using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Metering;
using IoTMonitor.Gateway.Alerts.Store;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Metering;

/// <summary>
/// The allocation and no_flow rules on the engine: one alert per rule and channel, raised, held and
/// cleared through the lifecycle and the outbox as every rule is, decided on the metering watch's reports.
/// </summary>
public sealed class MeteringAlertsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-metering-alerts-").FullName;
    private readonly ManualTimeProvider _clock = new(T0);
    private readonly AlertsOptions _options = new() { Webhook = { Urls = ["http://127.0.0.1:9/hook"] }, Influx = { Enabled = false }, FlapWindowSeconds = 0 };
    private AlertStore? _store;

    private static long Now0 => T0.ToUnixTimeSeconds();

    public void Dispose()
    {
        _store?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Over_allocation_opens_one_alert_per_channel_holds_and_clears_when_the_allocation_period_ends()
    {
        var e = Engine(OverAllocation());
        var season = (From: Now0 - (10 * 86400), To: Now0 + 86400);
        e.EvaluateMetering(Report(Now0, Channel("ch-1", allocations: [new AllocationUse("spring", season.From, season.To, 10000, 9500, 1)])));
        Assert.Empty(_store!.ListActive()); // 95 %: within

        e.EvaluateMetering(Report(Now0 + 300, Channel("ch-1", allocations: [new AllocationUse("spring", season.From, season.To, 10000, 10250.4, 0.98)]), Channel("ch-2", allocations: [new AllocationUse("s", season.From, season.To, 10000, 20, 1)])));
        var alert = Assert.Single(_store.ListActive());
        Assert.Equal("channel:d-1/ch-1", alert.Device);
        Assert.Equal("tn-ch-1", alert.Site);
        Assert.Equal("Allocation", alert.Kind);
        Assert.Equal(10250.4, alert.Value);
        Assert.Equal("flow.total", alert.Quantity);
        var notice = Notices().Single();
        Assert.Equal("m³", notice.Unit);
        Assert.Equal("> 100 % of the channel's allocation", notice.Limit);
        Assert.Contains("10250.4 m³ of 10000 m³ allocated (102.5 %) in 'spring'", notice.Trend, StringComparison.Ordinal);
        Assert.Contains("completeness 0.98", notice.Trend, StringComparison.Ordinal);
        Assert.Contains("Channel volume beyond its allocation", notice.ShortText(), StringComparison.Ordinal);

        // still over: held, worst volume kept, no second notice
        e.EvaluateMetering(Report(Now0 + 600, Channel("ch-1", allocations: [new AllocationUse("spring", season.From, season.To, 10000, 10400, 1)])));
        Assert.Equal(10400, Assert.Single(_store.ListActive()).Worst);
        Assert.Single(Notices());

        // the season ended: no allocation in force, the alert resolves
        e.EvaluateMetering(Report(season.To + 60, Channel("ch-1")));
        Assert.Empty(_store.ListActive());
        Assert.Equal(["opened", "resolved"], Notices().Select(n => n.Type));
    }

    [Fact]
    public void No_flow_waits_for_the_grace_raises_when_the_mean_flow_is_below_the_least_and_clears_when_water_comes()
    {
        var e = Engine(NoFlow());
        var from = Now0;
        var to = Now0 + (6 * 3600);
        DeliveryFlow Flow(double? q) => new(from, to, null, 1800, q, q is null ? 0 : 1800);

        // 10 min into the delivery: inside the 30 min grace, nothing yet though nothing flows
        e.EvaluateMetering(Report(from + 600, Channel("ch-1", deliveries: [Flow(0)])));
        Assert.Empty(_store!.ListActive());

        // 40 min in, nothing flowed over the last 30 min
        e.EvaluateMetering(Report(from + 2400, Channel("ch-1", deliveries: [Flow(0)])));
        var alert = Assert.Single(_store.ListActive());
        Assert.Equal("NoFlow", alert.Kind);
        Assert.Equal(0, alert.Value);
        var opened = Notices().Single();
        Assert.Equal("m³/s", opened.Unit);
        Assert.Contains("delivery scheduled 05-01 00:00–05-01 06:00 UTC, least 0.001 m³/s", opened.Trend, StringComparison.Ordinal);
        Assert.Contains("30 min into a scheduled delivery", opened.Limit, StringComparison.Ordinal);

        // no reading covers the window (a gap): the flow cannot be told, the alert stays as it is
        e.EvaluateMetering(Report(from + 3000, Channel("ch-1", deliveries: [Flow(null)])));
        Assert.Single(_store.ListActive());

        // water arrives
        e.EvaluateMetering(Report(from + 3600, Channel("ch-1", deliveries: [Flow(0.35)])));
        Assert.Empty(_store.ListActive());
        Assert.Equal(["opened", "resolved"], Notices().Select(n => n.Type));
    }

    [Fact]
    public void A_delivery_with_its_own_least_flow_is_judged_by_it_and_no_delivery_means_no_alert()
    {
        var e = Engine(NoFlow());
        var d = new DeliveryFlow(Now0, Now0 + 7200, 0.2, 1800, 0.05, 1800); // flows, but a fifth of what was ordered... a quarter of the least
        e.EvaluateMetering(Report(Now0 + 3600, Channel("ch-1", deliveries: [d])));
        Assert.Equal(0.05, Assert.Single(_store!.ListActive()).Value);

        e.EvaluateMetering(Report(Now0 + 7300, Channel("ch-1")));
        Assert.Empty(_store.ListActive());

        // a rule's window the watch did not measure (another no_flow rule's) is not guessed at
        e.EvaluateMetering(Report(Now0 + 3600, Channel("ch-1", deliveries: [d with { WindowSeconds = 900 }])));
        Assert.Empty(_store.ListActive());
    }

    [Fact]
    public void Metering_rules_name_what_they_need()
    {
        var bad = OverAllocation();
        bad.Quantity = "water.level";
        Assert.Contains(bad.Validate(), p => p.Contains("an allocation rule needs quantity flow.total", StringComparison.Ordinal));
        var noFlow = NoFlow();
        noFlow.Below = null;
        Assert.Contains(noFlow.Validate(), p => p.Contains("a no_flow rule needs quantity flow.rate", StringComparison.Ordinal));
        Assert.Empty(OverAllocation().Validate());
        Assert.Empty(NoFlow().Validate());

        // the default pack carries both, valid
        var pack = RulePack.Load(Path.Combine(AppContext.BaseDirectory, "Alerts", "RulePacks", "default.json"));
        Assert.Contains(pack.Rules, r => r.Kind == RuleKind.Allocation && r.Id == "metering.over-allocation");
        Assert.Contains(pack.Rules, r => r.Kind == RuleKind.NoFlow && r.Id == "metering.no-flow");
    }

    private static AlertRule OverAllocation() => new()
    {
        Id = "metering.over-allocation",
        Name = "Channel volume beyond its allocation",
        Kind = RuleKind.Allocation,
        Quantity = "flow.total",
        Above = 1,
        Source = "test",
        Action = "Close the turnout",
    };

    private static AlertRule NoFlow() => new()
    {
        Id = "metering.no-flow",
        Name = "No flow while a delivery is scheduled",
        Kind = RuleKind.NoFlow,
        Quantity = "flow.rate",
        Below = 0.001,
        MinDurationSeconds = 1800,
        WindowSeconds = 1800,
        Source = "test",
    };

    private static MeteringReport Report(long at, params ChannelMetering[] channels) => new(at, channels);

    private static ChannelMetering Channel(string id, AllocationUse[]? allocations = null, DeliveryFlow[]? deliveries = null) =>
        new("d-1", id, id, ["tn-" + id], allocations ?? [], deliveries ?? []);

    private AlertEngine Engine(params AlertRule[] rules)
    {
        _store ??= new SqliteAlertStore(Path.Combine(_dir, "alerts.db"));
        foreach (var r in rules)
        {
            _store.SeedRule(r, T0);
        }

        return new AlertEngine(_options, _store, TestChannels.Of(_options), _clock, NullLogger.Instance);
    }

    private List<AlertNotice> Notices() =>
        _store!.Outbox().Where(o => o.Channel == "webhook").OrderBy(o => o.Id).Select(o => JsonSerializer.Deserialize<AlertNotice>(o.Payload, AlertRule.Json)!).ToList();
}
