using IoTMonitor.Gateway.Alerts.Channels;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

/// <summary>
/// The dispatcher's stop: what is due (e.g. what the engine's stop drain just queued) is delivered
/// before it stops, a delivery that does not finish within the grace stays pending for the restart,
/// and waking a stopped dispatcher is harmless.
/// </summary>
public sealed class OutboxDispatcherStopTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-outbox-stop-").FullName;

    /// <summary>A receiver that accepts at once, or never (until the send is cancelled).</summary>
    private sealed class TestChannel(bool hang) : IAlertChannel
    {
        private int _sent;

        public string Name => "webhook";

        public IEnumerable<string> Recipients(string type, bool late) => ["http://127.0.0.1:9/hook"];

        public int Sent => Volatile.Read(ref _sent);

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            if (hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            Interlocked.Increment(ref _sent);
            return "HTTP 200";
        }
    }

    private AlertStore StoreWith(int notifications)
    {
        var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(Path.Combine(_dir, "alerts.db"));
        var now = TimeProvider.System.GetUtcNow();
        var payload = System.Text.Json.JsonSerializer.Serialize(new AlertNotice { EventId = "e", AlertId = "a", Type = AlertEventTypes.Opened }, AlertRule.Json);
        for (var i = 0; i < notifications; i++)
        {
            store.Enqueue($"e{i}:webhook:http://127.0.0.1:9/hook", "a", $"e{i}", AlertEventTypes.Opened, "webhook", "http://127.0.0.1:9/hook", payload, now, now);
        }

        return store;
    }

    private static OutboxDispatcher Dispatcher(AlertStore store, TestChannel channel) =>
        new(store, new OutboxOptions { PollMs = 60_000, TimeoutSeconds = 600 }, [channel], TimeProvider.System, NullLogger.Instance);

    [Fact]
    public async Task Notifications_due_when_the_stop_begins_are_delivered_before_it_returns()
    {
        // queued with nobody looking (as by the engine's drain after the dispatcher's last poll): a
        // dispatcher that never ran is the deterministic form of that
        using var store = StoreWith(100);
        var channel = new TestChannel(hang: false);
        var dispatcher = Dispatcher(store, channel);

        await dispatcher.StopAsync(Generous).WaitAsync(Generous);
        Assert.Equal(100, channel.Sent);
        Assert.Equal(100, store.Outbox(status: "sent").Count);
        Assert.Empty(store.Outbox(status: "pending"));
        dispatcher.Wake(); // an acknowledgement committed during the stop wakes it: harmless
        await dispatcher.DisposeAsync();
        dispatcher.Wake(); // and after it
    }

    [Fact]
    public async Task A_delivery_that_outlasts_the_grace_is_cancelled_and_stays_pending_for_the_restart()
    {
        using var store = StoreWith(1);
        var channel = new TestChannel(hang: true);
        var dispatcher = Dispatcher(store, channel);
        dispatcher.Start();
        await channel.Started.Task.WaitAsync(Generous);

        await dispatcher.StopAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Generous);
        await dispatcher.DisposeAsync();

        var entry = Assert.Single(store.Outbox());
        Assert.Equal("pending", entry.Status);
        Assert.Equal(0, entry.Attempts); // not counted as a failed attempt: it is simply sent again after the restart
        Assert.Empty(store.Attempts(entry.Id));
        Assert.Equal(0, channel.Sent);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
