using IoTMonitor.Gateway.Alerts.FlashFlood;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Store;

/// <summary>
/// The same behaviour from both alert stores: the SQLite file (one gateway) and PostgreSQL (shared
/// by replicas, on a real server). What the engine, the dispatcher and the API rely on.
/// </summary>
public sealed class AlertStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Providers => StoreProviders.Both;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_rule_pack_seeds_rules_but_never_overrides_or_revives_an_operators_change(string provider)
    {
        using var storage = await StoreProviders.CreateAsync(provider, postgres.Server);
        var store = storage.Open();
        store.SeedRule(Level(3.5), T0);
        store.SeedRule(Level(3.6), T0.AddSeconds(1));
        Assert.Equal(3.6, Assert.Single(store.LoadRules()).Rule.Above);
        var seeded = store.RulesVersion();

        store.PutRule(Level(4.0), T0.AddSeconds(2));
        Assert.NotEqual(seeded, store.RulesVersion());
        store.SeedRule(Level(3.5), T0.AddSeconds(3));
        var (rule, origin) = Assert.Single(store.LoadRules());
        Assert.Equal((4.0, "api"), (rule.Above, origin));

        var put = store.RulesVersion();
        Assert.True(store.DeleteRule("level.high", T0.AddSeconds(4)));
        Assert.False(store.DeleteRule("level.high", T0.AddSeconds(5)));
        Assert.NotEqual(put, store.RulesVersion());
        store.SeedRule(Level(3.5), T0.AddSeconds(6));
        Assert.Empty(store.LoadRules());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rule_states_schedules_and_evaluated_sequences_survive_reopening_with_their_windows(string provider)
    {
        using var storage = await StoreProviders.CreateAsync(provider, postgres.Server);
        var store = storage.Open();
        var state = new RuleState { PendingSince = T0.ToUnixTimeSeconds(), Repeats = 2, Window = [[T0.ToUnixTimeSeconds(), 3.912], [T0.ToUnixTimeSeconds() + 600, 3.9]] };
        var seen = new EvaluatedSequences();
        seen.Add(1, 1);
        seen.Add(1, 2);
        store.InTransaction(() =>
        {
            store.SaveState("level.high", "wl-01", "river-1", state);
            store.SaveSchedule(new NodeSchedule { Site = "river-1", Device = "wl-01", LastSeen = 1234, WakeSeconds = 900, State = "sleeping" });
            store.SaveEvaluatedSequences("river-1", "wl-01", seen);
            return 0;
        });
        Assert.False(state.Changed);

        var again = storage.Open();
        var (site, loaded) = Assert.Single(again.LoadStates(), s => s.Key == ("level.high", "wl-01")).Value;
        Assert.Equal("river-1", site);
        Assert.Equal(T0.ToUnixTimeSeconds(), loaded.PendingSince);
        Assert.Equal(2, loaded.Repeats);
        Assert.Equal(state.Window, loaded.Window);
        Assert.Equal(loaded.PendingSince, again.LoadState("level.high", "wl-01")?.State.PendingSince);
        Assert.Null(again.LoadState("level.high", "wl-02"));
        Assert.Equal((900, "sleeping", 1234L), Assert.Single(again.LoadSchedules()).Value is var s ? (s.WakeSeconds, s.State, s.LastSeen) : default);
        Assert.Null(again.LoadSchedule("wl-02"));
        var sequences = Assert.Single(again.LoadEvaluatedSequences()).Value;
        Assert.False(sequences.Add(1, 2), "(boot 1, n 2) was recorded as evaluated");
        Assert.True(sequences.Add(1, 3));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_failed_transaction_leaves_nothing_and_nested_work_joins_the_outer_one(string provider)
    {
        using var storage = await StoreProviders.CreateAsync(provider, postgres.Server);
        var store = storage.Open();
        var commits = store.Commits;

        Assert.Throws<InvalidOperationException>(() => store.InTransaction<int>(() =>
        {
            store.SaveAlert(NewAlert("a1", "wl-01"));
            store.InTransaction(() => store.Enqueue("k1", "a1", "e1", "opened", "webhook", "hook", "{}", T0, T0));
            throw new InvalidOperationException("evaluation failed");
        }));

        Assert.Null(store.GetAlert("a1"));
        Assert.Empty(store.Outbox());
        Assert.Equal(commits, store.Commits);
        store.InTransaction(() =>
        {
            store.SaveAlert(NewAlert("a1", "wl-01"));
            return store.InTransaction(() => store.Enqueue("k1", "a1", "e1", "opened", "webhook", "hook", "{}", T0, T0));
        });
        Assert.Equal(commits + 1, store.Commits);
        Assert.NotNull(store.GetAlert("a1"));
        Assert.Single(store.Outbox());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task One_alert_is_active_per_rule_and_subject_and_history_is_queried_by_state_site_and_time(string provider)
    {
        using var storage = await StoreProviders.CreateAsync(provider, postgres.Server);
        var store = storage.Open();
        store.SaveAlert(NewAlert("a1", "wl-01"));
        Assert.ThrowsAny<System.Data.Common.DbException>(() => store.SaveAlert(NewAlert("a2", "wl-01")));
        store.SaveAlert(NewAlert("a3", "wl-02") with { Site = "river-2", DetectedAt = T0.AddMinutes(5) });

        Assert.Equal("a1", store.FindActive("level.high", "wl-01")?.Id);
        store.SaveAlert(store.GetAlert("a1")! with { State = AlertStates.Resolved, ResolvedAt = T0.AddMinutes(10) });
        Assert.Null(store.FindActive("level.high", "wl-01"));
        Assert.Equal("a1", store.FindResolvedSince("level.high", "wl-01", T0.AddMinutes(9))?.Id);
        Assert.Null(store.FindResolvedSince("level.high", "wl-01", T0.AddMinutes(11)));

        Assert.Equal(["a3"], store.ListActive().Select(a => a.Id));
        Assert.Equal(["a3", "a1"], store.ListAlerts(new AlertQuery()).Select(a => a.Id));
        Assert.Equal(["a1"], store.ListAlerts(new AlertQuery(State: AlertStates.Resolved)).Select(a => a.Id));
        Assert.Equal(["a3"], store.ListAlerts(new AlertQuery(State: "active", Site: "river-2")).Select(a => a.Id));
        Assert.Equal(["a1"], store.ListAlerts(new AlertQuery(To: T0.AddMinutes(1))).Select(a => a.Id));
        Assert.Equal(["a3"], store.ListAlerts(new AlertQuery(From: T0.AddMinutes(1), Limit: 1)).Select(a => a.Id));

        store.AddEvent(new AlertEvent("e2", "a1", AlertEventTypes.Resolved, T0.AddMinutes(10), "resolved"));
        store.AddEvent(new AlertEvent("e1", "a1", AlertEventTypes.Opened, T0, "opened"));
        store.AddEvent(new AlertEvent("e3", "a1", AlertEventTypes.Acknowledged, T0.AddMinutes(10), "by duty"));
        Assert.Equal(["e1", "e2", "e3"], store.Events("a1").Select(e => e.Id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_outbox_keeps_one_notice_per_key_and_records_sent_retried_deferred_and_failed_attempts(string provider)
    {
        using var storage = await StoreProviders.CreateAsync(provider, postgres.Server);
        var store = storage.Open();
        store.SaveAlert(NewAlert("a1", "wl-01"));
        Assert.True(store.Enqueue("e1:webhook:hook", "a1", "e1", "opened", "webhook", "hook", "{\"n\":1}", T0, T0));
        Assert.False(store.Enqueue("e1:webhook:hook", "a1", "e1", "opened", "webhook", "hook", "{\"n\":2}", T0, T0));
        Assert.True(store.Enqueue("e1:sms:139", "a1", "e1", "opened", "sms", "139", "{}", T0.AddSeconds(5), T0));
        Assert.True(store.Enqueue("e2:sms:139", "a1", "e2", "resolved", "sms", "139", "{}", T0.AddSeconds(1), T0));

        Assert.Equal(T0, store.NextDue());
        Assert.Equal(["e1:webhook:hook", "e2:sms:139"], store.Due(T0.AddSeconds(1), 10).Select(o => o.Key));
        Assert.Equal(1, store.CancelPending("a1", "resolved"));
        var webhook = Assert.Single(store.Due(T0.AddSeconds(1), 10));
        Assert.Equal("{\"n\":1}", webhook.Payload);

        store.RecordAttempt(webhook.Id, store.Claim(webhook.Id, TimeSpan.FromMinutes(1))!.Value, T0.AddSeconds(1), false, "HTTP 503", null, T0.AddSeconds(3));
        Assert.Empty(store.Due(T0.AddSeconds(2), 10));
        store.Defer(webhook.Id, store.Claim(webhook.Id, TimeSpan.FromMinutes(1))!.Value, T0.AddSeconds(3), "deferred: rate limit", T0.AddSeconds(4));
        var deferred = Assert.Single(store.Due(T0.AddSeconds(4), 1));
        Assert.Equal(1, deferred.Attempts);
        store.RecordAttempt(webhook.Id, store.Claim(webhook.Id, TimeSpan.FromMinutes(1))!.Value, T0.AddSeconds(4), true, "HTTP 200", "receipt-1", null);

        var sms = store.Due(T0.AddSeconds(5), 10).Single();
        store.RecordAttempt(sms.Id, store.Claim(sms.Id, TimeSpan.FromMinutes(1))!.Value, T0.AddSeconds(5), false, "refused", null, null);
        Assert.Empty(store.Due(T0.AddMinutes(5), 10));
        Assert.Null(store.NextDue());

        var sent = store.Outbox("a1", "sent").Single();
        Assert.Equal(("receipt-1", 2, T0.AddSeconds(4)), (sent.Receipt, sent.Attempts, sent.SentAt));
        Assert.Equal("refused", store.Outbox(status: "failed").Single().LastError);
        Assert.Equal("cancelled", store.Outbox(status: "cancelled").Single().Status);
        Assert.Equal([false, false, true], store.Attempts(webhook.Id).Select(a => a.Ok));
        Assert.Equal(3, store.Outbox().Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Counters_add_and_set_and_the_rain_ledger_keeps_each_boots_base_when_pruned(string provider)
    {
        using var storage = await StoreProviders.CreateAsync(provider, postgres.Server);
        var store = storage.Open();
        Assert.Equal(0, store.Counter("engine_running"));
        store.AddCounter("cut", 3);
        store.AddCounter("cut", 4);
        store.SetCounter("engine_running", 1);
        Assert.Equal((7L, 1L), (store.Counter("cut"), store.Counter("engine_running")));

        store.InTransaction(() =>
        {
            for (var n = 1; n <= 4; n++)
            {
                store.SaveRain(new RainReading("river-1", "rg-01", 1, n, 1000 + (n * 100), n * 0.5));
            }

            store.SaveRain(new RainReading("river-1", "rg-01", 1, 4, 1400, 9.9)); // redelivered: the first one stays
            return 0;
        });
        Assert.Equal([1.0, 1.5, 2.0], store.LoadRain(1250).Select(r => r.Total).Order());
        store.PruneRain(1350);
        Assert.Equal([3L, 4L], store.LoadRain(0).Select(r => r.N).Order());
    }

    private static AlertRule Level(double above) => new()
    {
        Id = "level.high",
        Name = "Water level high",
        Kind = RuleKind.Threshold,
        Quantity = "water.level",
        Above = above,
        Source = "test",
    };

    private static Alert NewAlert(string id, string device) => new()
    {
        Id = id,
        RuleId = "level.high",
        Subject = device,
        Site = "river-1",
        Device = device,
        State = AlertStates.Open,
        DetectedAt = T0,
        Since = T0,
    };
}
