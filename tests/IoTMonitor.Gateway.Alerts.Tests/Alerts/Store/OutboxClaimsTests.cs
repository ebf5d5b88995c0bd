using IoTMonitor.Gateway.Alerts.Store.Postgres;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Store;

/// <summary>
/// Claims on outbox rows in a real PostgreSQL shared by two replicas: a notice is sent under one
/// claim at a time, a claim outlives the sender's partition lease, and a sender whose claim ran out
/// and was taken can still report a success but can no longer fail or reschedule the notice.
/// </summary>
public sealed class OutboxClaimsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_notice_claimed_by_one_replica_is_not_listed_or_claimed_by_the_other_after_the_partition_moved()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a", leaseSeconds: 30);
        var b = (PostgresAlertStore)storage.Open("replica-b", leaseSeconds: 30);
        var id = Notice(a, "a1");
        var claim = a.Claim(id, TimeSpan.FromSeconds(30));
        Assert.NotNull(claim);

        // a loses its partitions while it sends (paused past its lease, partitioned): b owns the site now
        a.Leases.Release();
        Assert.True(b.Leases.Renew());
        Assert.Empty(b.Due(T0.AddHours(1), 10));
        Assert.Null(b.Claim(id, TimeSpan.FromSeconds(30)));
        Assert.True(b.NextDue() > DateTimeOffset.UtcNow.AddSeconds(20)); // not before a's claim runs out: no busy polling meanwhile

        // a's send failed: the retry is anyone's once due, under a new claim with a higher token
        a.RecordAttempt(id, claim.Value, T0.AddSeconds(1), false, "HTTP 503", null, T0.AddSeconds(2));
        var retry = Assert.Single(b.Due(T0.AddSeconds(2), 10));
        Assert.Equal((id, 1), (retry.Id, retry.Attempts));
        var second = b.Claim(id, TimeSpan.FromSeconds(30));
        Assert.True(second > claim);
        b.RecordAttempt(id, second!.Value, T0.AddSeconds(2), true, "HTTP 200", "ok", null);
        Assert.Equal(("sent", 2), (b.GetOutbox(id).Status, b.GetOutbox(id).Attempts));
    }

    [Fact]
    public async Task A_sender_whose_claim_ran_out_and_was_taken_cannot_fail_or_defer_the_notice_but_its_success_counts()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a");
        var b = (PostgresAlertStore)storage.Open("replica-b");
        var failing = Notice(a, "a1");
        var succeeding = Notice(a, "a2");
        var staleFail = a.Claim(failing, TimeSpan.FromMilliseconds(200))!.Value;
        var staleOk = a.Claim(succeeding, TimeSpan.FromMilliseconds(200))!.Value;
        await Task.Delay(400); // a stalls past its claims
        var freshFail = b.Claim(failing, TimeSpan.FromSeconds(30))!.Value;
        var freshOk = b.Claim(succeeding, TimeSpan.FromSeconds(30))!.Value;

        a.RecordAttempt(failing, staleFail, T0.AddSeconds(1), false, "refused", null, null);
        a.Defer(failing, staleFail, T0.AddSeconds(1), "deferred: rate limit", T0.AddHours(5));
        var untouched = b.GetOutbox(failing);
        Assert.Equal(("pending", 0, T0), (untouched.Status, untouched.Attempts, untouched.Due));
        b.RecordAttempt(failing, freshFail, T0.AddSeconds(2), true, "HTTP 200", "ok", null);
        Assert.Equal("sent", b.GetOutbox(failing).Status);

        // the receiver took a's late send: that is the truth, and b's later failure does not undo it
        a.RecordAttempt(succeeding, staleOk, T0.AddSeconds(1), true, "HTTP 200", "from a", null);
        b.RecordAttempt(succeeding, freshOk, T0.AddSeconds(2), false, "timeout", null, T0.AddSeconds(3));
        Assert.Equal(("sent", "from a"), (b.GetOutbox(succeeding).Status, b.GetOutbox(succeeding).Receipt));
        Assert.Equal((3, 2), (a.Attempts(failing).Count, a.Attempts(succeeding).Count)); // every attempt is in the log, stale or not
    }

    [Fact]
    public async Task Two_replicas_claiming_the_same_200_notices_at_once_claim_each_exactly_once()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a");
        var b = (PostgresAlertStore)storage.Open("replica-b");
        // one transaction: 200 on a busy machine may take longer than a's lease, which nobody renews here
        var ids = a.InTransaction(() => Enumerable.Range(0, 200).Select(i => Notice(a, "a" + i)).ToList());
        var start = new Barrier(2);

        List<long> ClaimAll(PostgresAlertStore store)
        {
            start.SignalAndWait();
            return ids.Where(id => store.Claim(id, TimeSpan.FromMinutes(1)) is not null).ToList();
        }

        var byA = Task.Run(() => ClaimAll(a));
        var byB = Task.Run(() => ClaimAll(b));
        var claimed = (await byA).Concat(await byB).ToList();

        Assert.Equal(ids.Order(), claimed.Order());
        Assert.Equal(200L, await PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM alert_outbox WHERE claim = 1"));
    }

    /// <summary>An alert of site river-1 and its webhook notice, committed as the engine commits them (fenced by a's lease).</summary>
    private static long Notice(PostgresAlertStore store, string alertId)
    {
        store.InTransaction(() =>
        {
            store.SaveAlert(new Alert { Id = alertId, RuleId = "level.high", Subject = alertId, Site = "river-1", Device = "wl-01", DetectedAt = T0, Since = T0 });
            return store.Enqueue(alertId + ":webhook:hook", alertId, alertId + "-e", "opened", "webhook", "hook", "{}", T0, T0);
        });
        return store.Outbox(alertId).Single().Id;
    }
}

internal static class OutboxLookup
{
    public static OutboxEntry GetOutbox(this AlertStore store, long id) => store.Outbox().Single(o => o.Id == id);
}
