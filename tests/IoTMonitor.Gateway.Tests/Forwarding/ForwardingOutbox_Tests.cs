using System.Collections.Concurrent;
using IoTMonitor.Gateway.Forwarding;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Tests.State;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>
/// The per-platform outbox on both stores, SQLite on a real file and PostgreSQL on a real server, with
/// the same tests: a message stored once under its identity, parts in one transaction, state and periods
/// kept across reopen, pruning spares pending packets. Then two PostgreSQL outboxes on one database as
/// two replicas: one sends at a time, each packet once, and another takes over.
/// </summary>
public sealed class ForwardingOutbox_Tests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Providers => StoreStorage.Providers;

    private static IForwardingOutbox Open(StoreStorage storage, string holder = "replica-a", string name = "hj212-p", TimeSpan? lease = null) =>
        storage.IsPostgres
            ? new PostgresForwardingOutbox(storage.Replica(), name, holder, lease ?? Lease)
            : new SqliteForwardingOutbox(storage.File(name + ".db"));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_message_is_stored_once_and_its_state_and_periods_survive_a_reopen(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        var now = DateTimeOffset.UtcNow;
        using (var o = Open(storage))
        {
            Assert.True(o.Add("2061|s|100|abc", "2061", "s", 100, [("q1", "f1"), ("q2", "f2")], now));
            Assert.False(o.Add("2061|s|100|abc", "2061", "s", 100, [("q3", "f3"), ("q4", "f4")], now));
            Assert.True(o.Add("2011|s|d|5", "2011", "s", 5, [("q5", "f5")], now));
            Assert.True(o.Contains("2061|s|100|abc"));
            Assert.False(o.Contains("2061|s|100|abd"));
            var pending = o.NextPending(10);
            Assert.Equal(["q1", "q2", "q5"], pending.Select(e => e.Qn));
            Assert.True(o.BeginAttempt(pending[0].Id));
            o.MarkDone(pending[0].Id, true, now);
            o.SetNextPeriod("s", "2061", 3600);
            o.MarkDirty("s", "2051", 600, 10);
            Assert.Equal([1, 2, 3, 1], new[] { o.NextCounter("serial:1", 3), o.NextCounter("serial:1", 3), o.NextCounter("serial:1", 3), o.NextCounter("serial:1", 3) });
        }

        using (var o = Open(storage))
        {
            Assert.Equal(new ForwardingOutboxCounts(2, 0, 1, o.Counts().OldestPending), o.Counts());
            Assert.Equal(["q2", "q5"], o.NextPending(10).Select(e => e.Qn));
            Assert.Equal(3600, o.NextPeriod("s", "2061"));
            Assert.Null(o.NextPeriod("s", "2031"));
            Assert.Empty(o.DueDirty(9, 10));
            var dirty = Assert.Single(o.DueDirty(10, 10));
            Assert.Equal(("s", "2051", 600L, 10L), dirty);
            Assert.Equal(2, o.NextCounter("serial:1", 3));

            // marked again later while being built: it stays for the next pass
            o.MarkDirty("s", "2051", 600, 20);
            o.ClearDirty("s", "2051", 600, dirty.Due);
            Assert.Single(o.DueDirty(20, 10));
        }

        // another platform's outbox in the same storage sees none of it
        using var other = Open(storage, name: "hj212-q");
        Assert.Empty(other.NextPending(10));
        Assert.Null(other.NextPeriod("s", "2061"));
        Assert.Equal(1, other.NextCounter("serial:1", 3));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Pruning_deletes_only_packets_done_before_the_cutoff(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        var now = DateTimeOffset.UtcNow;
        using var o = Open(storage);
        o.Add("a", "2011", "s", 1, [("q1", "f1")], now);
        o.Add("b", "2011", "s", 2, [("q2", "f2")], now);
        o.MarkDone(o.NextPending(1)[0].Id, false, now.AddDays(-100));

        Assert.Equal(1, o.Prune(now.AddDays(-90)));
        Assert.Equal(0, o.Prune(now.AddDays(1)));
        Assert.Equal(1, o.Counts().Pending);
    }

    /// <summary>
    /// The replica holding the platform's lease sends; the other gets no packets and may not attempt
    /// one; a clean stop hands the platform over at once, a dead holder's lease runs out.
    /// </summary>
    [Fact]
    public async Task One_replica_sends_a_platform_at_a_time_and_the_other_takes_over()
    {
        using var storage = await StoreStorage.OpenAsync(StateOptions.Postgres, postgres.Server);
        var a = Open(storage, "replica-a");
        using var b = Open(storage, "replica-b");
        a.Add("k1", "2011", "s", 1, [("q1", "f1")], DateTimeOffset.UtcNow);

        var id = Assert.Single(a.NextPending(10)).Id;
        Assert.Empty(b.NextPending(10));
        Assert.False(b.BeginAttempt(id));
        Assert.True(a.BeginAttempt(id));

        a.Dispose(); // a clean stop gives the lease up
        Assert.Equal(id, Assert.Single(b.NextPending(10)).Id);
        Assert.True(b.BeginAttempt(id));
        Assert.Equal(2, b.NextPending(10)[0].Attempts);

        // b dies holding its lease: c gets nothing until the lease has run out (its end moved into
        // the past here rather than waited for: under load the test cannot time a short lease)
        using var c = Open(storage, "replica-c");
        Assert.Empty(c.NextPending(10));
        Assert.False(c.BeginAttempt(id));
        await PostgresServer.ExecuteAsync(storage.ConnectionString, "UPDATE forwarding_lease SET until = now() - interval '1 second'");
        Assert.Single(c.NextPending(10));
        Assert.False(b.BeginAttempt(id)); // b, back from a stall, may not send any more
        c.MarkDone(id, true, DateTimeOffset.UtcNow);
        Assert.False(c.BeginAttempt(id)); // done: nobody sends it again
    }

    /// <summary>
    /// Two replicas run the link's loop (ask for packets, attempt, send, mark done) on one outbox at
    /// once while both store the same 60 messages; halfway the sending replica stops cleanly and the
    /// other takes over: every message is stored once and sent exactly once.
    /// </summary>
    [Fact]
    public async Task Two_replicas_storing_and_sending_one_outbox_send_each_packet_once()
    {
        using var storage = await StoreStorage.OpenAsync(StateOptions.Postgres, postgres.Server);
        var replicas = new[] { Open(storage, "replica-a"), Open(storage, "replica-b") };
        var sent = new ConcurrentBag<(string Qn, int Replica)>();
        var stored = new int[2];
        var stopped = new bool[2];
        await Task.WhenAll(replicas.Select((o, r) => Task.Run(() =>
        {
            for (var i = 0; i < 60; i++)
            {
                if (o.Add($"2011|s|d|{i}", "2011", "s", i, [($"q{i}", $"f{i}")], DateTimeOffset.UtcNow))
                {
                    Interlocked.Increment(ref stored[r]);
                }
            }
        })));
        Assert.Equal(60, stored.Sum());

        var deadline = DateTimeOffset.UtcNow.AddSeconds(120);
        await Task.WhenAll(replicas.Select((o, r) => Task.Run(async () =>
        {
            while (sent.Count < 60 && DateTimeOffset.UtcNow < deadline && !stopped[r])
            {
                var batch = o.NextPending(8);
                if (batch.Count == 0)
                {
                    await Task.Delay(20);
                    continue;
                }

                foreach (var entry in batch)
                {
                    if (!o.BeginAttempt(entry.Id))
                    {
                        break;
                    }

                    sent.Add((entry.Qn, r));
                    o.MarkDone(entry.Id, true, DateTimeOffset.UtcNow);
                    if (sent.Count == 30)
                    {
                        stopped[r] = true;
                        o.Dispose(); // this replica stops: the other takes the platform over
                        return;
                    }
                }
            }
        })));

        Assert.Equal(60, sent.Count);
        Assert.Equal(60, sent.Select(s => s.Qn).Distinct().Count());
        Assert.Equal(2, sent.Select(s => s.Replica).Distinct().Count());
        Assert.Equal(new ForwardingOutboxCounts(0, 0, 60, null), replicas[1].Counts());
    }

    [Fact]
    public async Task Counters_taken_by_two_replicas_at_once_never_repeat()
    {
        using var storage = await StoreStorage.OpenAsync(StateOptions.Postgres, postgres.Server);
        var replicas = new[] { Open(storage, "replica-a"), Open(storage, "replica-b") };
        var values = new ConcurrentBag<int>();

        await Task.WhenAll(replicas.Select(o => Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                values.Add(o.NextCounter("serial:0012345678", 65535));
            }
        })));

        Assert.Equal(Enumerable.Range(1, 200), values.Order());
    }
}
