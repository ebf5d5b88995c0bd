using System.Diagnostics;
using IoTMonitor.Gateway.Alerts.Store.Postgres;
using IoTMonitor.Gateway.Alerts.Tests.Alerts.Store;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.State.Leases;
using IoTMonitor.Gateway.Validation;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

/// <summary>
/// Two alert engines on one real PostgreSQL: a replica joins one that holds every alert partition,
/// and the partitions are shared out (the holder hands its surplus over after its last commit of
/// those sites; the joiner reloads the state before it evaluates them); the joiner stopping gives
/// everything back.
/// </summary>
public sealed class EvaluatorRebalanceTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int RenewMs = 200;

    [Fact]
    public async Task A_replica_joining_one_that_holds_every_partition_gets_half_within_a_few_rounds()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var options = Options();
        var aStore = (PostgresAlertStore)storage.Open("replica-a");
        await using var a = new AlertEngine(options, aStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        a.Start();
        Assert.Equal(PartitionLeases.Partitions, aStore.Leases.HeldTokens.Count);
        var before = await TokensAsync(storage);
        var sites = SitePerPartition();

        var bStore = (PostgresAlertStore)storage.Open("replica-b");
        await using var b = new AlertEngine(options, bStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        var joined = Stopwatch.StartNew();
        b.Start();
        var twice = new List<string>();
        HashSet<int> heldA = [], heldB = [];
        while (joined.Elapsed < TimeSpan.FromSeconds(30))
        {
            // b first: a partition b holds now was released by a before b took it, so a must not hold it a moment later
            heldB = bStore.Leases.HeldTokens.Keys.ToHashSet();
            var ownedB = sites.Where(s => bStore.Ownership.Owns(s)).ToHashSet();
            heldA = aStore.Leases.HeldTokens.Keys.ToHashSet();
            var ownedA = sites.Where(s => aStore.Ownership.Owns(s)).ToHashSet();
            twice.AddRange(heldA.Intersect(heldB).Select(p => $"partition {p} held by both at {joined.ElapsedMilliseconds} ms"));
            twice.AddRange(ownedA.Intersect(ownedB).Select(s => $"site {s} evaluated by both at {joined.ElapsedMilliseconds} ms"));
            if (heldA.Count == 8 && heldB.Count == 8)
            {
                break;
            }

            await Task.Delay(10);
        }

        var took = joined.Elapsed;
        output.WriteLine($"replica b holds {heldB.Count} and a {heldA.Count} partitions {took.TotalMilliseconds:0} ms after b started ({took.TotalMilliseconds / RenewMs:0.0} rounds of {RenewMs} ms)");
        Assert.Empty(twice);
        Assert.Equal((8, 8), (heldA.Count, heldB.Count));
        // the figure is printed above (docs/alerts.md gives it: about 3 rounds); the bound only says the
        // share moved at all, with room for this 2-core machine under the whole suite (12.5 s seen once)
        Assert.True(took < TimeSpan.FromSeconds(30), $"the share moved after {took.TotalMilliseconds:0} ms");

        // it stays put: no partition moves back and forth once the share is fair
        await Task.Delay(RenewMs * 5);
        Assert.Equal(heldA.Order(), aStore.Leases.HeldTokens.Keys.Order());
        Assert.Equal(heldB.Order(), bStore.Leases.HeldTokens.Keys.Order());
        var after = await TokensAsync(storage);
        Assert.All(heldB, p => Assert.Equal((before[p].Token + 1, "replica-b"), after[p])); // released, then taken with a higher token
        Assert.All(heldA, p => Assert.Equal(before[p], after[p]));
        // the taker counts the sites as its own once its next group reloaded the state; with the whole suite
        // running, that group's first PostgreSQL connection alone has taken over 5 s on this machine
        await GatewayHost.WaitUntilAsync(() => heldB.All(p => bStore.Ownership.Owns(sites[p])), TimeSpan.FromSeconds(30), "replica b to evaluate its partitions' sites");
    }

    [Fact]
    public async Task Across_the_hand_over_the_rule_continues_and_every_reading_is_evaluated_once()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var options = Options();
        var aStore = (PostgresAlertStore)storage.Open("replica-a");
        var now = DateTimeOffset.UtcNow;
        aStore.SeedRule(new AlertRule { Id = "level.high", Name = "Level", Kind = RuleKind.Threshold, Quantity = "water.level", Above = 3.5, Hysteresis = 0.1, MinDurationSeconds = 60, Source = "test" }, now);
        aStore.SeedRule(new AlertRule { Id = "level.rise", Name = "Rise", Kind = RuleKind.Rate, Quantity = "water.level", RiseBy = 0.5, WindowSeconds = 600, Source = "test" }, now);
        await using var a = new AlertEngine(options, aStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        a.Start();
        var site = SitePerPartition()[PartitionLeases.Partitions - 1]; // the highest partition: the first a names as surplus
        const string device = "wl-01";
        var t0 = now.ToUnixTimeSeconds() - 90;

        // a evaluates the first exceedance: the duration's start and the rate window's low point
        a.OnReadingsDurable(this, Batch(site, device, 1, t0, 4.0));
        a.OnReadingsDurable(this, Batch(site, device, 2, t0 + 30, 4.2));
        await a.FlushAsync();
        Assert.Equal(t0, aStore.LoadState("level.high", device)?.State.PendingSince);

        // readings through either replica while b joins and the partition moves: below the duration, and
        // each less than 0.5 above every reading but the first (so neither rule opens unless its state continued)
        PostgresAlertStore? bStore = null;
        AlertEngine? b = null;
        try
        {
            var seq = 2L;
            var moved = TimeSpan.Zero;
            var joined = new Stopwatch();
            for (var i = 0; i < 26; i++)
            {
                if (i == 4)
                {
                    joined.Start();
                    bStore = (PostgresAlertStore)storage.Open("replica-b");
                    b = new AlertEngine(options, bStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
                    b.Start();
                }

                seq++;
                var via = b is null || i % 2 == 0 ? a : b;
                via.OnReadingsDurable(this, Batch(site, device, seq, t0 + 30 + i + 1, 4.2 + (i % 4 * 0.05)));
                if (moved == TimeSpan.Zero && bStore is not null && bStore.Ownership.Owns(site))
                {
                    moved = joined.Elapsed;
                }

                await Task.Delay(100);
            }

            Assert.NotNull(bStore);
            Assert.NotNull(b);
            await GatewayHost.WaitUntilAsync(() => bStore.Ownership.Owns(site), TimeSpan.FromSeconds(30), "replica b to evaluate the site");
            moved = moved == TimeSpan.Zero ? joined.Elapsed : moved;
            Assert.False(aStore.Ownership.Owns(site));
            await Task.WhenAll(a.FlushAsync(), b.FlushAsync());
            await WaitForHandOffsAsync(storage);
            var alertsBefore = aStore.ListAlerts(new AlertQuery()).Count;
            Assert.Equal(t0, bStore.LoadState("level.high", device)?.State.PendingSince);

            // 60 s after the first exceedance and 0.6 above it, sent through the replica that gave the site up
            seq++;
            a.OnReadingsDurable(this, Batch(site, device, seq, t0 + 60, 4.6));
            await a.FlushAsync();
            await GatewayHost.WaitUntilAsync(() => bStore.ListActive().Count == 2, TimeSpan.FromSeconds(15), "replica b to open both alerts");
            await Task.WhenAll(a.FlushAsync(), b.FlushAsync());
            await Task.Delay(RenewMs * 4); // more lease rounds: nothing is evaluated again
            await WaitForHandOffsAsync(storage);

            output.WriteLine($"the site moved to replica b {moved.TotalMilliseconds:0} ms after b joined (seen between readings 100 ms apart); batches evaluated by a {a.BatchesEvaluated}, by b {b.BatchesEvaluated}; handed off by a {aStore.HandedOff}, by b {bStore.HandedOff}; partitions handed over by a {aStore.PartitionsHandedOver}");
            Assert.Equal(0, alertsBefore);
            var alerts = bStore.ListAlerts(new AlertQuery());
            var high = Assert.Single(alerts, x => x.RuleId == "level.high");
            var rise = Assert.Single(alerts, x => x.RuleId == "level.rise");
            Assert.Equal(2, alerts.Count);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(t0), high.Since); // the duration continued from a's commit
            Assert.Equal(4.6, rise.Value);
            foreach (var alert in alerts)
            {
                var notices = bStore.Outbox(alert.Id);
                Assert.NotEmpty(notices);
                Assert.Equal(notices.Select(n => n.Channel).Distinct().Count(), notices.Count); // one notice per channel
            }

            // every reading evaluated exactly once, by one of the two
            Assert.Equal(seq, a.BatchesEvaluated + b.BatchesEvaluated);
            Assert.Equal(0, a.DuplicateReadingsSkipped + b.DuplicateReadingsSkipped);
            Assert.Equal(0, a.EvaluationFailures + b.EvaluationFailures);
            Assert.True(b.BatchesEvaluated > 1, $"b evaluated {b.BatchesEvaluated}");
            var evaluated = bStore.LoadEvaluatedSequences()[device];
            Assert.All(Enumerable.Range(1, (int)seq), n => Assert.False(evaluated.Clone().Add(1, n), $"reading {n} not recorded as evaluated"));
            Assert.True(evaluated.Clone().Add(1, seq + 1));
            Assert.Equal(PartitionLeases.Partitions / 2, aStore.PartitionsHandedOver);
        }
        finally
        {
            if (b is not null)
            {
                await b.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_replica_that_joins_and_then_stops_gives_everything_back()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var options = Options();
        var aStore = (PostgresAlertStore)storage.Open("replica-a");
        await using var a = new AlertEngine(options, aStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        a.Start();
        var bStore = (PostgresAlertStore)storage.Open("replica-b");
        var b = new AlertEngine(options, bStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        b.Start();
        await GatewayHost.WaitUntilAsync(() => bStore.Leases.HeldTokens.Count == 8, TimeSpan.FromSeconds(15), "replica b to take its share");

        var stop = Stopwatch.StartNew();
        await b.DisposeAsync();
        var stopped = stop.Elapsed;
        await GatewayHost.WaitUntilAsync(() => aStore.Leases.HeldTokens.Count == PartitionLeases.Partitions, TimeSpan.FromSeconds(10), "replica a to take every partition back");
        output.WriteLine($"replica b stopped in {stopped.TotalMilliseconds:0} ms; a held all 16 again {stop.Elapsed.TotalMilliseconds:0} ms after the stop began (renewal {RenewMs} ms, lease {options.Lease.Seconds} s)");
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(options.Lease.Seconds), "taken back before b's leases would have expired");
        Assert.Equal(0L, await PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM lease_members WHERE scope = 'alert_leases' AND replica = 'replica-b'"));
        Assert.Equal(0L, await PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM alert_leases WHERE holder = 'replica-b'"));
        await GatewayHost.WaitUntilAsync(() => SitePerPartition().All(s => aStore.Ownership.Owns(s)), TimeSpan.FromSeconds(30), "replica a to evaluate every site again");
    }

    private static AlertsOptions Options() => new()
    {
        Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
        Influx = { Enabled = false },
        TickSeconds = 3600,
        Lease = { Seconds = 4, RenewMs = RenewMs },
    };

    /// <summary>One site name per alert partition, by partition.</summary>
    private static string[] SitePerPartition()
    {
        var sites = new string?[PartitionLeases.Partitions];
        for (var i = 0; sites.Any(s => s is null); i++)
        {
            sites[PartitionLeases.PartitionOf($"site-{i}")] ??= $"site-{i}";
        }

        return sites.Select(s => s!).ToArray();
    }

    /// <summary>A one-reading batch as the ingest pipeline hands it over (boot 1, sequence <paramref name="n"/>).</summary>
    private static ReadingsDurableEventArgs Batch(string site, string device, long n, long t, double level)
    {
        var result = new DecodeResult { Site = site, Device = device, Boot = 1, Battery = 3.9, HealthTime = t };
        result.Readings.Add(new Reading { N = n, T = t, Quantity = Quantities.Find("water.level")!, Value = level, Index = 0 });
        return new ReadingsDurableEventArgs(result, DateTimeOffset.UtcNow);
    }

    private static async Task<Dictionary<int, (long Token, string? Holder)>> TokensAsync(StoreProviders storage)
    {
        await using var connection = new NpgsqlConnection(storage.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT partition, token, holder FROM alert_leases", connection);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new Dictionary<int, (long, string?)>();
        while (await r.ReadAsync())
        {
            rows[r.GetInt32(0)] = (r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2));
        }

        return rows;
    }

    private static async Task WaitForHandOffsAsync(StoreProviders storage) =>
        await GatewayHost.WaitUntilAsync(
            () => (long)PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM alert_handoff").GetAwaiter().GetResult()! == 0,
            TimeSpan.FromSeconds(15),
            "every hand-off row evaluated");
}
