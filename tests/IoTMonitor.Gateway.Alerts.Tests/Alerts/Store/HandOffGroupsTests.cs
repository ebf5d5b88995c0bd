using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Store.Postgres;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Store;

/// <summary>
/// Batches of sites another replica evaluates go through <c>alert_handoff</c> a group at a time, on a
/// real PostgreSQL: one INSERT for what a group hands off and one DELETE for what a group takes, since
/// the cluster consumer's acknowledgements wait for the group (a statement per batch made two replicas
/// drain at a tenth of one). PostgreSQL itself counts the statements: a statement-level trigger
/// (PostgreSQL 15 manual, CREATE TRIGGER: FOR EACH STATEMENT fires once per statement, also for one
/// that touches no row).
/// </summary>
public sealed class HandOffGroupsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Batches = 24;
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly AlertsOptions _options = new()
    {
        Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
        Influx = { Enabled = false },
        TickSeconds = 3600,
        Lease = { Seconds = 3, RenewMs = 200 },
    };

    [Fact]
    public async Task A_group_hands_off_its_batches_in_one_statement_in_the_order_received()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var (_, otherStore) = await OpenPairAsync(storage);
        await using var other = HeldEngine(otherStore);
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;

        var sent = await HandOffAsync(other, t);

        Assert.Equal(Batches, otherStore.HandedOff);
        Assert.Equal(0, other.BatchesEvaluated);
        Assert.Equal(1L, await StatementsAsync(storage, "INSERT"));
        var rows = await RowsAsync(storage);
        Assert.Equal(sent, rows);
    }

    [Fact]
    public async Task The_owner_takes_a_backlog_in_one_statement_and_evaluates_each_batch_once_in_order()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var (ownerStore, otherStore) = await OpenPairAsync(storage);
        await using var other = HeldEngine(otherStore);
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        await HandOffAsync(other, t);

        // the owner reads the backlog twice (at its first reload, and at its first hand-off poll): each copy is evaluated once
        await using var owner = await OwnerWithBacklogQueuedAsync(ownerStore);
        owner.ReleaseEvaluation();
        await GatewayHost.WaitUntilAsync(() => owner.BatchesEvaluated == Batches, Generous, "the owner to evaluate the backlog");
        await owner.FlushAsync();

        Assert.Equal(Batches, owner.BatchesEvaluated);
        Assert.Equal(0L, await PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM alert_handoff"));
        Assert.Equal(1L, await StatementsAsync(storage, "DELETE"));
        AssertAlertsFromFirstExceedance(ownerStore, t);
    }

    [Fact]
    public async Task A_batch_another_evaluation_took_first_is_skipped_and_the_rest_of_its_group_evaluated_once()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var (ownerStore, otherStore) = await OpenPairAsync(storage);
        await using var other = HeldEngine(otherStore);
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        await HandOffAsync(other, t);
        var log = new ListLogger();
        await using var owner = await OwnerWithBacklogQueuedAsync(ownerStore, log);

        // queued, not yet evaluated: another replica (the site's owner a moment before) takes the newest row
        var newest = (long)(await PostgresServer.ScalarAsync(storage.ConnectionString!, "DELETE FROM alert_handoff WHERE id = (SELECT max(id) FROM alert_handoff) RETURNING id"))!;
        owner.ReleaseEvaluation();
        await GatewayHost.WaitUntilAsync(() => owner.BatchesEvaluated == Batches - 1 && owner.QueueLength == 0, Generous, "the owner to evaluate the rest of the backlog");
        await owner.FlushAsync();
        await Task.Delay(600); // two more hand-off polls: nothing is evaluated twice

        Assert.True(newest > 0);
        Assert.Equal(Batches - 1, owner.BatchesEvaluated);
        Assert.Equal(0L, await PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM alert_handoff"));
        Assert.Contains(log.Entries, e => e.Text.Contains("taken by another evaluation", StringComparison.Ordinal));
        AssertAlertsFromFirstExceedance(ownerStore, t);
    }

    [Fact]
    public async Task A_handed_off_batch_is_evaluated_between_two_lease_rounds()
    {
        // lease rounds 30 s apart: only the hand-off poll (100 ms here, 250 ms by default) can bring the batch in time
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var options = new AlertsOptions
        {
            Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
            Influx = { Enabled = false },
            TickSeconds = 3600,
            Lease = { Seconds = 90, RenewMs = 30_000, HandOffPollMs = 100 },
        };
        var (ownerStore, otherStore) = await OpenPairAsync(storage, leaseSeconds: 90);
        await using var owner = new AlertEngine(options, ownerStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        await using var other = new AlertEngine(options, otherStore, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        owner.Start();
        other.Start();
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120;

        // the owner's first group has reloaded the state (which also reads what was handed over until then)
        owner.EvaluateBatch("river-1", "wl-01", [(t, "water.level", 3.0, 0)], 3.9, t);
        other.EvaluateBatch("river-1", "wl-01", [(t + 60, "water.level", 4.0, 0)], 3.9, t + 60);
        Assert.Equal(1, otherStore.HandedOff);

        await GatewayHost.WaitUntilAsync(() => ownerStore.ListActive().Count == 1, TimeSpan.FromSeconds(20), "the owner to evaluate the handed-off batch before its next lease round");
        Assert.Equal(2, owner.BatchesEvaluated);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(t + 60), Assert.Single(ownerStore.ListActive()).Since);
    }

    /// <summary>The owner opens first and so holds every partition; neither gives partitions to the other.</summary>
    private static async Task<(PostgresAlertStore Owner, PostgresAlertStore Other)> OpenPairAsync(StoreProviders storage, double leaseSeconds = 10)
    {
        var owner = (PostgresAlertStore)storage.Open("owner", leaseSeconds, balance: false);
        var other = (PostgresAlertStore)storage.Open("other", leaseSeconds, balance: false);
        owner.SeedRule(new AlertRule { Id = "level.high", Name = "Level", Kind = RuleKind.Threshold, Quantity = "water.level", Above = 3.5, Source = "test" }, T0);
        await PostgresServer.ExecuteAsync(storage.ConnectionString!, """
            CREATE TABLE handoff_statements (op text NOT NULL);
            CREATE FUNCTION count_handoff_statement() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN INSERT INTO handoff_statements VALUES (TG_OP); RETURN NULL; END $$;
            CREATE TRIGGER handoff_statements AFTER INSERT OR DELETE ON alert_handoff
              FOR EACH STATEMENT EXECUTE FUNCTION count_handoff_statement();
            """);
        return (owner, other);
    }

    /// <summary>The owner, holding its evaluation, once its hand-off poll has queued the whole backlog.</summary>
    private async Task<AlertEngine> OwnerWithBacklogQueuedAsync(PostgresAlertStore store, ListLogger? log = null)
    {
        var owner = HeldEngine(store, log);
        await GatewayHost.WaitUntilAsync(() => owner.QueueLength >= Batches, Generous, "the owner's hand-off poll to queue the backlog");
        await Task.Delay(600); // the poll that queued them is over (later polls queue nothing already queued)
        return owner;
    }

    private AlertEngine HeldEngine(PostgresAlertStore store, ListLogger? log = null)
    {
        // a budget far above what the batches take, so what is queued together commits together even on a loaded machine
        var engine = new AlertEngine(_options, store, TestChannels.Of(_options), TimeProvider.System, log ?? (Microsoft.Extensions.Logging.ILogger)NullLogger.Instance) { GroupBudget = TimeSpan.FromSeconds(10) };
        engine.HoldEvaluation();
        engine.Start();
        return engine;
    }

    /// <summary>
    /// Queues <see cref="Batches"/> batches of three sites, a level gauge each, as the cluster consumer
    /// does (its acknowledgement waiting for the group), then lets one group take them all. Each gauge
    /// reads 3.0, then 4.0 from its fifth batch on. Returns (device, reading time) in the order sent.
    /// </summary>
    private static async Task<List<(string Device, long T)>> HandOffAsync(AlertEngine engine, long t)
    {
        var sent = new List<(string, long)>();
        var waits = new List<Task>();
        for (var i = 0; i < Batches; i++)
        {
            var site = $"river-{i % 3 + 1}";
            var device = $"wl-{i % 3 + 1}";
            var at = t + (i * 60);
            var result = new DecodeResult { Site = site, Device = device, Battery = 3.9, HealthTime = at };
            result.Readings.Add(new Reading { T = at, Quantity = Quantities.Find("water.level")!, Value = i / 3 >= 4 ? 4.0 : 3.0 });
            var args = new ReadingsDurableEventArgs(result, DateTimeOffset.UtcNow, acknowledgementWaits: true);
            engine.OnReadingsDurable(engine, args);
            waits.Add(args.Pending!);
            sent.Add((device, at));
        }

        engine.ReleaseEvaluation();
        await Task.WhenAll(waits).WaitAsync(Generous);
        return sent;
    }

    private static void AssertAlertsFromFirstExceedance(PostgresAlertStore store, long t)
    {
        var alerts = store.ListAlerts(new AlertQuery()).OrderBy(a => a.Device).ToList();
        Assert.Equal(["wl-1", "wl-2", "wl-3"], alerts.Select(a => a.Device));
        for (var k = 0; k < 3; k++)
        {
            // batch 12 + k is gauge k's first at 4.0: evaluated out of order, a later one would set the start
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(t + ((12 + k) * 60)), alerts[k].Since);
        }
    }

    private static async Task<long> StatementsAsync(StoreProviders storage, string op) =>
        (long)(await PostgresServer.ScalarAsync(storage.ConnectionString!, $"SELECT count(*) FROM handoff_statements WHERE op = '{op}'"))!;

    private static async Task<List<(string Device, long T)>> RowsAsync(StoreProviders storage)
    {
        await using var connection = new Npgsql.NpgsqlConnection(storage.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT device, body FROM alert_handoff ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            using var body = JsonDocument.Parse(reader.GetString(1));
            rows.Add((reader.GetString(0), body.RootElement.GetProperty("r")[0][1].GetInt64()));
        }

        return rows;
    }
}
