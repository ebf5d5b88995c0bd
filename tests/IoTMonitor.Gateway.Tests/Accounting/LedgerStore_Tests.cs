using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Tests.State;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Tests.Accounting;

/// <summary>
/// The ledger stores, SQLite on a real file and PostgreSQL on a real server, with the same tests; and
/// two PostgreSQL stores on one database as two replicas that each get part of a device's readings.
/// </summary>
public sealed class LedgerStore_Tests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Providers => StoreStorage.Providers;

    private static ILedgerStore Open(StoreStorage storage, ILogger? log = null) =>
        storage.IsPostgres
            ? new PostgresLedgerStore(storage.Replica(), log ?? NullLogger.Instance)
            : new SqliteLedgerStore(storage.File("ledger.db"), log ?? NullLogger.Instance);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_restart_keeps_boot_highest_gaps_counts_and_health(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        var before = new Ledger();
        await using (var store = Open(storage))
        {
            store.Start(before, TimeSpan.FromHours(1));
            var d = before.For("yr-01", "wq-1");
            foreach (var n in new[] { 1, 2, 3, 7, 8, 8, 12 })
            {
                d.Observe(5, n);
            }

            d.Health(T0, 3.85, -77, 4);
            before.For("yr-01", "wq-2").Observe(1, 1);
        }

        var after = new Ledger();
        await using var reopened = Open(storage);
        reopened.Start(after, TimeSpan.FromHours(1));

        var kept = before.For("yr-01", "wq-1").Snapshot().State;
        var restored = after.For("yr-01", "wq-1").Snapshot().State;
        Assert.Equal(kept with { Gaps = [] }, restored with { Gaps = [] });
        Assert.Equal([new SequenceGap(4, 6), new SequenceGap(9, 11)], after.For("yr-01", "wq-1").Gaps);
        Assert.Equal(1, after.For("yr-01", "wq-1").Duplicates);
        Assert.Equal(2, after.DeviceCount);

        // only what changed is written again, and a change after the restart is kept by the next one
        after.For("yr-01", "wq-1").Observe(5, 5);
        reopened.Flush();
        var third = new Ledger();
        await using var again = Open(storage);
        again.Start(third, TimeSpan.FromHours(1));
        Assert.Equal([new SequenceGap(4, 4), new SequenceGap(6, 6), new SequenceGap(9, 11)], third.For("yr-01", "wq-1").Gaps);
        Assert.Equal(7, third.For("yr-01", "wq-1").Readings);
    }

    /// <summary>
    /// A shared subscription hands each of a device's readings to one of two replicas (here: a
    /// reading goes to replica (n mod 2); 41–45 and 90 reach neither) while both flush every few
    /// milliseconds: both end with exactly the real gaps, every reading counted once, and a reading
    /// that fills a gap on one replica closes it on the other.
    /// </summary>
    [Fact]
    public async Task Two_replicas_each_seeing_half_a_stream_both_show_only_the_real_gaps()
    {
        using var storage = await StoreStorage.OpenAsync(StateOptions.Postgres, postgres.Server);
        var ledgers = new[] { new Ledger(), new Ledger() };
        // a flush that meets an error logs it and is tried again by the next one; a failure here says what it met
        var log = new FlushLog();
        await using var a = Open(storage, log);
        await using var b = Open(storage, log);
        a.Start(ledgers[0], TimeSpan.FromMilliseconds(5));
        b.Start(ledgers[1], TimeSpan.FromMilliseconds(5));
        var missed = new HashSet<int> { 41, 42, 43, 44, 45, 90 };

        await Task.WhenAll(Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            for (var n = 1; n <= 100; n++)
            {
                if (n % 2 == r && !missed.Contains(n))
                {
                    ledgers[r].For("yr-01", "wq-1").Observe(3, n);
                    ledgers[r].For("yr-01", $"wq-only-{r}").Observe(1, n);
                    await Task.Yield();
                }
            }
        })));
        a.Flush();
        b.Flush();
        a.Flush();

        foreach (var ledger in ledgers)
        {
            var d = ledger.For("yr-01", "wq-1");
            Assert.True(d.Gaps.SequenceEqual([new SequenceGap(41, 45), new SequenceGap(90, 90)]), $"gaps {string.Join(", ", d.Gaps)}; the stores logged: {log}");
            Assert.Equal(100, d.HighestSequence);
            Assert.Equal(94, d.Readings);
            Assert.Equal(0, d.Duplicates);
            Assert.Equal(3, ledger.DeviceCount); // each also knows the device only the other replica heard
        }

        // a late resend of 43 reaches replica b only: a's ledger shows the gap split after the next flushes
        ledgers[1].For("yr-01", "wq-1").Observe(3, 43);
        b.Flush();
        a.Flush();
        Assert.Equal([new SequenceGap(41, 42), new SequenceGap(44, 45), new SequenceGap(90, 90)], ledgers[0].For("yr-01", "wq-1").Gaps);
        Assert.Equal(95, ledgers[0].For("yr-01", "wq-1").Readings);
        Assert.Equal(95L, await PostgresServer.ScalarAsync(storage.ConnectionString, "SELECT readings FROM device_ledger WHERE device = 'wq-1'"));
    }

    /// <summary>What the stores logged (their flush errors), for a failure's message.</summary>
    private sealed class FlushLog : ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");

        public override string ToString() => _lines.IsEmpty ? "nothing" : string.Join(" | ", _lines);
    }
}
