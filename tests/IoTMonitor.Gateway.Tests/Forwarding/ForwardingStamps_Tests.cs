using IoTMonitor.Gateway.Forwarding;
using IoTMonitor.Gateway.Forwarding.Hj212;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Tests.State;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>
/// Message times (HJ 212 QNs, HJ 212-2017 §6.3, Table 3: yyyyMMddHHmmssSSS) issued by the outbox as
/// packets are stored: unique and increasing in the order the platform gets them (send order = id
/// order), on one gateway and across two replicas sharing one PostgreSQL outbox whose clocks disagree,
/// including a failover to a replica whose clock lags.
/// </summary>
public sealed class ForwardingStamps_Tests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly Hj212Time Time = new Hj212Composer(new Hj212Options()).Time;

    public static TheoryData<string> Providers => StoreStorage.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Packets_stored_within_one_millisecond_or_after_the_clock_stepped_back_get_increasing_QNs(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        using var outbox = Open(storage, "replica-a");
        var t = new DateTimeOffset(2026, 11, 21, 2, 0, 0, TimeSpan.Zero);

        Assert.True(Store(outbox, "k1", parts: 2, t));
        Assert.True(Store(outbox, "k2", parts: 1, t)); // same millisecond
        Assert.True(Store(outbox, "k3", parts: 1, t.AddSeconds(-5))); // clock stepped back
        Assert.False(Store(outbox, "k1", parts: 2, t)); // stored before: nothing changes
        Assert.True(Store(outbox, "k4", parts: 1, t.AddSeconds(1)));

        Assert.Equal(["20261121100000000", "20261121100000001", "20261121100000002", "20261121100000003", "20261121100001000"], Sent(outbox));
    }

    [Fact]
    public async Task Two_replicas_with_clocks_apart_issue_unique_QNs_that_never_go_back_also_after_a_failover_to_the_lagging_one()
    {
        using var storage = await StoreStorage.OpenAsync(StateOptions.Postgres, postgres.Server);
        using var a = Open(storage, "replica-a");
        using var b = Open(storage, "replica-b");
        var clock = DateTimeOffset.UtcNow;

        // a stores with a clock 5 s ahead of b's, then dies; b continues after a's last QN, not from its own clock
        for (var i = 0; i < 10; i++)
        {
            Assert.True(Store(a, $"a{i}", parts: 1, clock.AddSeconds(5)));
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.True(Store(b, $"b{i}", parts: 1, clock));
        }

        // then both at once, each from its own clock, 150 messages each, some split in two packets
        var start = new Barrier(2);
        void StoreMany(IForwardingOutbox outbox, string name, TimeSpan skew)
        {
            start.SignalAndWait();
            for (var i = 0; i < 150; i++)
            {
                Assert.True(Store(outbox, $"{name}-both{i}", parts: 1 + (i % 3 == 0 ? 1 : 0), DateTimeOffset.UtcNow + skew));
            }
        }

        await Task.WhenAll(Task.Run(() => StoreMany(a, "a", TimeSpan.FromSeconds(5))), Task.Run(() => StoreMany(b, "b", TimeSpan.Zero)));

        var qns = Sent(a);
        Assert.Equal(20 + 300 + 100, qns.Count); // a third of the messages in two packets
        Assert.Equal(qns.Count, qns.Distinct().Count());
        Assert.Equal(qns.Order(StringComparer.Ordinal), qns); // in id order, the order they are sent in
        Assert.True(string.CompareOrdinal(qns[10], qns[9]) > 0, "b's first QN after a's last");
    }

    private static IForwardingOutbox Open(StoreStorage storage, string holder) =>
        storage.IsPostgres
            ? new PostgresForwardingOutbox(storage.Replica(), "hj212-p", holder, TimeSpan.FromSeconds(30))
            : new SqliteForwardingOutbox(storage.File("hj212-p.db"));

    /// <summary>A message of <paramref name="parts"/> packets, each with the QN the outbox issues for it, stored with <paramref name="clock"/> as the sender's clock.</summary>
    private static bool Store(IForwardingOutbox outbox, string key, int parts, DateTimeOffset clock) =>
        outbox.AddStamped(key, "2011", "s", 0, stamp => Enumerable.Range(0, parts).Select(i => (Qn: Time.Qn(stamp()), Frame: $"{key}#{i}")).ToList(), clock);

    /// <summary>Every packet's QN in the order the link sends them (pending, by id).</summary>
    private static List<string> Sent(IForwardingOutbox outbox) => outbox.NextPending(1000).Select(e => e.Qn).ToList();
}
