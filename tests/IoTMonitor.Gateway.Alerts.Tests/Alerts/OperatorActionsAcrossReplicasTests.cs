using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Alerts.Store.Postgres;
using IoTMonitor.Gateway.Alerts.Tests.Alerts.Store;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

/// <summary>
/// Two alert engines on one real PostgreSQL: replica a evaluates the site, an operator acts on the
/// alert through replica b's API. Each test holds one side's transaction open after it wrote the
/// alert (inside the event's routing, where the engine asks the channels for recipients) while the
/// other side reads and writes the same alert: neither change is written over by the other.
/// </summary>
public sealed class OperatorActionsAcrossReplicasTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly AlertRule Rule = new() { Id = "level.high", Name = "Level", Kind = RuleKind.Threshold, Quantity = "water.level", Above = 3.5, Hysteresis = 0.1, Source = "test" };

    [Fact]
    public async Task An_acknowledge_through_another_replica_is_not_written_over_by_the_evaluating_replica()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var pause = new PausingChannel(AlertEventTypes.Acknowledged);
        await using var replicas = await Replicas.OpenAsync(storage, pauseB: pause);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        replicas.A.EvaluateBatch("river-1", "wl-01", [(now, "water.level", 4.0, 0)], 3.9, now);
        var id = Assert.Single(replicas.StoreA.ListActive()).Id;

        // b's acknowledge has written the alert and not committed yet when a evaluates the next reading
        var ack = Task.Run(() => replicas.B.Acknowledge(id, "duty officer", "on my way"));
        await pause.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var evaluate = Task.Run(() => replicas.A.EvaluateBatch("river-1", "wl-01", [(now + 60, "water.level", 4.4, 0)], 3.9, now + 60));
        await WaitForLockWaitAsync(storage); // a's write of the alert waits for b's row lock
        pause.Release.SetResult();
        Assert.NotNull(await ack);
        await evaluate;

        var alert = replicas.StoreB.GetAlert(id)!;
        Assert.Equal((AlertStates.Acknowledged, "duty officer"), (alert.State, alert.AcknowledgedBy)); // b's change kept
        Assert.Equal((4.4, 4.4), (alert.Value, alert.Worst)); // and a's evaluation not lost either
        Assert.Equal([AlertEventTypes.Opened, AlertEventTypes.Acknowledged], replicas.StoreA.Events(id).Select(e => e.Type));
        Assert.Equal(0, replicas.A.EvaluationFailures);
    }

    [Fact]
    public async Task An_acknowledge_racing_the_evaluating_replicas_resolution_does_not_reopen_the_resolved_alert()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var pause = new PausingChannel(AlertEventTypes.Resolved);
        await using var replicas = await Replicas.OpenAsync(storage, pauseA: pause);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        replicas.A.EvaluateBatch("river-1", "wl-01", [(now, "water.level", 4.0, 0)], 3.9, now);
        var id = Assert.Single(replicas.StoreA.ListActive()).Id;

        // a's evaluation has resolved the alert (the level fell) and not committed yet when the operator acknowledges it through b
        var clear = Task.Run(() => replicas.A.EvaluateBatch("river-1", "wl-01", [(now + 60, "water.level", 3.0, 0)], 3.9, now + 60));
        await pause.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var ack = Task.Run(() => replicas.B.Acknowledge(id, "duty officer", null));
        await WaitForLockWaitAsync(storage);
        pause.Release.SetResult();
        await clear;

        Assert.Null(await ack); // not open any more: the API answers 409
        var alert = replicas.StoreB.GetAlert(id)!;
        Assert.Equal((AlertStates.Resolved, null), (alert.State, alert.AcknowledgedBy));
        Assert.Empty(replicas.StoreB.ListActive());
        Assert.Equal([AlertEventTypes.Opened, AlertEventTypes.Resolved], replicas.StoreA.Events(id).Select(e => e.Type));
    }

    /// <summary>Until a statement in the database waits for a row lock (the other side's write of the alert).</summary>
    private static Task WaitForLockWaitAsync(StoreProviders storage) =>
        GatewayHost.WaitUntilAsync(
            () => (long)PostgresServer.ScalarAsync(storage.ConnectionString!, "SELECT count(*) FROM pg_locks WHERE NOT granted").GetAwaiter().GetResult()! > 0,
            TimeSpan.FromSeconds(30),
            "the second write of the alert to wait for the first one's row lock");

    /// <summary>A channel that takes no part in delivery but holds the transaction of the first event of one type open until released.</summary>
    private sealed class PausingChannel(string type) : IAlertChannel
    {
        private int _paused;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "pause";

        public IEnumerable<string> Recipients(string eventType, bool late)
        {
            if (eventType == type && Interlocked.Exchange(ref _paused, 1) == 0)
            {
                Entered.SetResult();
                Release.Task.Wait(TimeSpan.FromSeconds(60));
            }

            return [];
        }

        public Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the pausing channel has no recipients");
    }

    /// <summary>Replica a holds every partition (evaluates river-1); replica b holds none and serves the operator.</summary>
    private sealed class Replicas : IAsyncDisposable
    {
        private Replicas(PostgresAlertStore storeA, PostgresAlertStore storeB, AlertEngine a, AlertEngine b)
        {
            StoreA = storeA;
            StoreB = storeB;
            A = a;
            B = b;
        }

        public PostgresAlertStore StoreA { get; }

        public PostgresAlertStore StoreB { get; }

        public AlertEngine A { get; }

        public AlertEngine B { get; }

        public static Task<Replicas> OpenAsync(StoreProviders storage, PausingChannel? pauseA = null, PausingChannel? pauseB = null)
        {
            var options = new AlertsOptions
            {
                Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
                Influx = { Enabled = false },
                TickSeconds = 3600,
                FlapWindowSeconds = 0,
                Lease = { Seconds = 10, RenewMs = 500 },
            };
            // without balancing, so a keeps river-1 while b runs (with it, a would hand b half the partitions)
            var storeA = (PostgresAlertStore)storage.Open("replica-a", balance: false);
            var storeB = (PostgresAlertStore)storage.Open("replica-b", balance: false);
            storeA.SeedRule(Rule, DateTimeOffset.UtcNow);
            var a = new AlertEngine(options, storeA, [.. TestChannels.Of(options), .. pauseA is null ? Array.Empty<IAlertChannel>() : [pauseA]], TimeProvider.System, NullLogger.Instance);
            var b = new AlertEngine(options, storeB, [.. TestChannels.Of(options), .. pauseB is null ? Array.Empty<IAlertChannel>() : [pauseB]], TimeProvider.System, NullLogger.Instance);
            a.Start();
            b.Start();
            return Task.FromResult(new Replicas(storeA, storeB, a, b));
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }
}
