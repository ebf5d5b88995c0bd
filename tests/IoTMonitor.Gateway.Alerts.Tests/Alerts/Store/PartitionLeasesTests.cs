using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.State.Leases;
using IoTMonitor.Gateway.Alerts.Store.Postgres;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Store;

/// <summary>
/// The evaluator leases on a real PostgreSQL: who holds a partition, how it changes hands, and the
/// fence that keeps a replica which lost its lease from committing state, alerts or notices.
/// </summary>
public sealed class PartitionLeasesTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_lone_replica_takes_every_partition_and_a_second_takes_none_while_the_first_renews()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a");
        var b = (PostgresAlertStore)storage.Open("replica-b");

        Assert.Equal(PartitionLeases.Partitions, a.Leases.HeldTokens.Count);
        Assert.Empty(b.Leases.HeldTokens);
        var tokens = a.Leases.HeldTokens.ToDictionary();
        var generation = a.Leases.Generation;

        Assert.False(a.Leases.Renew());
        Assert.False(b.Leases.Renew());
        Assert.Equal(tokens, a.Leases.HeldTokens.ToDictionary());
        Assert.Equal(generation, a.Leases.Generation);
        Assert.Empty(b.Leases.HeldTokens);
        Assert.True(a.Leases.Holds(PartitionLeases.PartitionOf("river-1")));
        Assert.False(b.Leases.Holds(PartitionLeases.PartitionOf("river-1")));
    }

    [Fact]
    public async Task A_released_lease_is_taken_at_the_next_round_with_a_higher_token()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a");
        var b = (PostgresAlertStore)storage.Open("replica-b");
        var before = a.Leases.HeldTokens.ToDictionary();

        a.Leases.Release();
        Assert.True(b.Leases.Renew());

        Assert.Empty(a.Leases.HeldTokens);
        Assert.Equal(before.Keys.Order(), b.Leases.HeldTokens.Keys.Order());
        Assert.All(before, t => Assert.Equal(t.Value + 1, b.Leases.HeldTokens[t.Key]));
        Assert.False(a.Leases.Renew()); // b is live and holds its fair share (all): a takes nothing
        Assert.Empty(a.Leases.HeldTokens);
    }

    [Fact]
    public async Task A_replica_whose_lease_expired_and_was_taken_commits_no_state_alert_or_notice()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a", leaseSeconds: 2);
        var b = (PostgresAlertStore)storage.Open("replica-b", leaseSeconds: 2);
        Write(a, "before", 1); // while held, a commits
        Assert.Equal(1, b.LoadState("level.high", "wl-01")?.State.Repeats);

        // a stalls (GC pause, frozen VM, lost network) past its lease; b takes the partitions over
        await Task.Delay(TimeSpan.FromSeconds(2.3));
        Assert.True(b.Leases.Renew());
        Assert.Equal(PartitionLeases.Partitions, b.Leases.HeldTokens.Count);

        var generation = a.Leases.Generation;
        var lost = Assert.Throws<LeaseLostException>(() => Write(a, "after", 2));

        Assert.Contains(PartitionLeases.PartitionOf("river-1"), lost.Partitions);
        Assert.Equal(1, b.LoadState("level.high", "wl-01")?.State.Repeats);
        Assert.Null(b.GetAlert("after"));
        Assert.DoesNotContain(b.Outbox(), o => o.AlertId == "after");
        Assert.NotEqual(generation, a.Leases.Generation);
        Assert.False(a.Leases.Holds(PartitionLeases.PartitionOf("river-1")));
        Assert.Empty(a.Due(T0.AddHours(1), 10));
        Assert.Single(b.Due(T0.AddHours(1), 10)); // the notice a committed while it held the lease is b's to send now
    }

    [Fact]
    public async Task The_fence_is_the_database_row_not_the_replicas_own_clock()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a", leaseSeconds: 30);
        var b = (PostgresAlertStore)storage.Open("replica-b", leaseSeconds: 30);

        // the database saw a's leases run out (a's clock or renewals lagging), b took them; a still believes it holds them
        await PostgresServer.ExecuteAsync(storage.ConnectionString!, "UPDATE alert_leases SET expires = now() - interval '1 second' WHERE holder = 'replica-a'; UPDATE lease_members SET expires = now() - interval '1 second' WHERE replica = 'replica-a'");
        Assert.True(b.Leases.Renew());
        Assert.True(a.Leases.Holds(PartitionLeases.PartitionOf("river-1")));

        Assert.Throws<LeaseLostException>(() => Write(a, "stale", 5));

        Assert.Null(b.LoadState("level.high", "wl-01"));
        Assert.Null(b.GetAlert("stale"));
        Assert.Empty(b.Outbox());
        Assert.False(a.Leases.Holds(PartitionLeases.PartitionOf("river-1")));
        Write(b, "fresh", 6);
        Assert.Equal(6, a.LoadState("level.high", "wl-01")?.State.Repeats);
    }

    [Fact]
    public async Task A_lease_renewed_in_time_is_kept_beyond_its_first_expiry()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a", leaseSeconds: 3);
        var b = (PostgresAlertStore)storage.Open("replica-b", leaseSeconds: 3);
        a.Leases.Renew(); // opening b may have taken a while on a busy machine
        var tokens = a.Leases.HeldTokens.ToDictionary();
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.False(a.Leases.Renew());
            Assert.False(b.Leases.Renew());
        }

        Assert.Equal(tokens, a.Leases.HeldTokens.ToDictionary());
        Assert.Empty(b.Leases.HeldTokens);
        Write(a, "kept", 3);
        Assert.NotNull(b.GetAlert("kept"));
    }

    [Fact]
    public async Task A_batch_received_by_a_replica_that_does_not_own_its_site_is_evaluated_once_by_the_owner()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var options = new AlertsOptions
        {
            Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
            Influx = { Enabled = false },
            TickSeconds = 3600,
            Lease = { Seconds = 3, RenewMs = 200 },
        };
        // without balancing: the owner keeps every partition while the other runs (an active/standby pair)
        var ownerStore = (PostgresAlertStore)storage.Open("owner", balance: false);
        var otherStore = (PostgresAlertStore)storage.Open("other", balance: false);
        ownerStore.SeedRule(new AlertRule { Id = "level.high", Name = "Level", Kind = RuleKind.Threshold, Quantity = "water.level", Above = 3.5, Source = "test" }, T0);
        var log = new ListLogger();
        await using var owner = new AlertEngine(options, ownerStore, TestChannels.Of(options), TimeProvider.System, log);
        await using var other = new AlertEngine(options, otherStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        owner.Start();
        other.Start();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        other.EvaluateBatch("river-1", "wl-01", [(now, "water.level", 4.0, 0)], 3.9, now);

        Assert.Equal(1, otherStore.HandedOff);
        Assert.Empty(otherStore.ListActive());
        try
        {
            // 30 s: in a CI run under load the owner's lease rounds (200 ms each) and PostgreSQL both slowed past 10 s
            await GatewayHost.WaitUntilAsync(() => ownerStore.ListActive().Count == 1, TimeSpan.FromSeconds(30), "the owner to evaluate the handed-off batch");
        }
        catch (TimeoutException e)
        {
            var left = await PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM alert_handoff");
            throw new TimeoutException($"{e.Message}: handoff rows {left}, owner evaluated {owner.BatchesEvaluated}, groups {owner.GroupsCommitted}, failures {owner.EvaluationFailures}, held {ownerStore.Leases.HeldTokens.Count}, pending {ownerStore.Shared.PendingNew(10, []).Count}, rules {owner.Rules.Count}: " + string.Join(" | ", log.Entries.Select(x => x.Text)), e);
        }
        await owner.FlushAsync();
        await Task.Delay(600); // three more lease rounds: a handed-off batch is never evaluated twice
        var alert = Assert.Single(ownerStore.ListAlerts(new AlertQuery()));
        Assert.Equal(("wl-01", 4.0), (alert.Device, alert.Value));
        Assert.Single(ownerStore.Outbox(alert.Id), o => o.Channel == "webhook");
        Assert.Equal(0L, await PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM alert_handoff"));
        Assert.Equal(0, other.BatchesEvaluated);
        Assert.Equal(1, owner.BatchesEvaluated);
    }

    [Fact]
    public async Task A_replica_taking_a_site_over_evaluates_what_it_handed_over_before_what_it_receives_next()
    {
        // a failover: the broker gives the dead replica's devices to b at once, while their sites' leases
        // still run; b hands those batches over, then takes the leases, then receives the device directly
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var options = new AlertsOptions { Webhook = { Urls = ["http://127.0.0.1:9/hook"] }, Influx = { Enabled = false }, TickSeconds = 3600 };
        var dead = (PostgresAlertStore)storage.Open("dead");
        var bStore = (PostgresAlertStore)storage.Open("b");
        dead.SeedRule(new AlertRule { Id = "level.high", Name = "Level", Kind = RuleKind.Threshold, Quantity = "water.level", Above = 3.5, Source = "test" }, T0);
        await using var b = new AlertEngine(options, bStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 300;

        b.EvaluateBatch("river-1", "wl-01", [(t, "water.level", 4.0, 0)], 3.9, t);
        b.EvaluateBatch("river-1", "wl-01", [(t + 60, "water.level", 4.2, 0)], 3.9, t + 60);
        Assert.Equal(2, bStore.HandedOff);

        dead.Leases.Release(); // as if they had expired
        Assert.True(bStore.Leases.Renew());
        b.EvaluateBatch("river-1", "wl-01", [(t + 120, "water.level", 4.5, 0)], 3.9, t + 120);

        var alert = Assert.Single(bStore.ListAlerts(new AlertQuery()));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(t), alert.Since); // from the first exceedance, not the first reading b received directly
        Assert.Equal(3, b.BatchesEvaluated);
        Assert.Equal(0L, await PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM alert_handoff"));
    }

    [Fact]
    public async Task A_lease_that_lapsed_locally_and_was_renewed_evaluates_what_was_handed_over_meanwhile_first()
    {
        // a loaded replica's renewal comes after its local deadline (80 % of the lease): meanwhile it owns
        // nothing and hands its own sites' batches over; renewed with the same tokens, it owns them again
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var options = new AlertsOptions { Webhook = { Urls = ["http://127.0.0.1:9/hook"] }, Influx = { Enabled = false }, TickSeconds = 3600 };
        var aStore = (PostgresAlertStore)storage.Open("a", leaseSeconds: 2);
        aStore.SeedRule(new AlertRule { Id = "level.high", Name = "Level", Kind = RuleKind.Threshold, Quantity = "water.level", Above = 3.5, Source = "test" }, T0);
        await using var a = new AlertEngine(options, aStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 300;
        aStore.Leases.Renew(); // the local deadline counts from here (1.6 s), whatever opening the engine took on a loaded machine
        var held = aStore.Leases.Generation;
        a.EvaluateBatch("river-1", "wl-01", [(t, "water.level", 3.0, 0)], 3.9, t);

        await Task.Delay(2000); // past the local deadline, not renewed
        Assert.NotEqual(held, aStore.Leases.Generation);
        a.EvaluateBatch("river-1", "wl-01", [(t + 60, "water.level", 4.0, 0)], 3.9, t + 60);
        Assert.Equal(1, aStore.HandedOff);

        aStore.Leases.Renew(); // the rows were still a's: the same tokens
        a.EvaluateBatch("river-1", "wl-01", [(t + 120, "water.level", 4.5, 0)], 3.9, t + 120);

        var alert = Assert.Single(aStore.ListAlerts(new AlertQuery()));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(t + 60), alert.Since);
        Assert.Equal(0L, await PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM alert_handoff"));
    }

    [Fact]
    public async Task A_site_taken_over_counts_as_owned_only_once_the_state_was_reloaded()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a");

        Assert.True(a.Leases.Holds(PartitionLeases.PartitionOf("river-1")));
        Assert.False(a.Ownership.Owns("river-1")); // held, but the engine has not read the previous owner's state yet
        var ownedDuringReload = true;
        Assert.Empty(a.Ownership.Reload(() => ownedDuringReload = a.Ownership.Owns("river-1")));
        Assert.False(ownedDuringReload);
        Assert.True(a.Ownership.Owns("river-1"));
        a.Leases.Release();
        Assert.False(a.Ownership.Owns("river-1"));
    }

    /// <summary>A group as the engine commits it: a rule state, an alert and its notice of site river-1.</summary>
    private static void Write(PostgresAlertStore store, string alertId, int repeats) => store.InTransaction(() =>
    {
        store.SaveState("level.high", "wl-01", "river-1", new RuleState { Repeats = repeats });
        store.SaveAlert(new Alert { Id = alertId, RuleId = "level.high", Subject = alertId, Site = "river-1", Device = "wl-01", DetectedAt = T0, Since = T0 });
        return store.Enqueue(alertId + ":webhook:hook", alertId, alertId + "-e", "opened", "webhook", "hook", "{}", T0, T0);
    });
}
