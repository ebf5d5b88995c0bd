using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

/// <summary>
/// A graceful stop evaluates what is queued (readings already acknowledged to the nodes) within a
/// deadline; what the deadline cuts is logged and counted, and the stop never hangs. A batch whose
/// acknowledgement waits for its evaluation (the cluster consumer's) is released by the commit that
/// evaluated it, and cancelled (left unacknowledged, for the broker to redeliver) when a stop cuts it.
/// </summary>
public sealed class AlertEngineStopTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly long S0 = T0.ToUnixTimeSeconds();
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-alert-stop-").FullName;
    private readonly ManualTimeProvider _clock = new(T0);
    private readonly ListLogger _log = new();

    private readonly AlertsOptions _options = new()
    {
        Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
        Email = { Host = "127.0.0.1", From = "alerts@example.org" },
        Primary = { Emails = ["duty@example.org"] },
        Influx = { Enabled = false },
        Mqtt = { Enabled = true },
        TickSeconds = 3600, // the ticker runs on the real clock: keep it out of these counts
    };

    private string DbPath => Path.Combine(_dir, "alerts.db");

    private static AlertRule Level() => new()
    {
        Id = "level.high",
        Name = "Water level high",
        Kind = RuleKind.Threshold,
        Quantity = "water.level",
        Above = 3.5,
        Severity = Severity.Critical,
        Source = "site-specific",
        Action = "Warn downstream",
    };

    private static ReadingsDurableEventArgs Batch(string device, long t, double level, bool acknowledgementWaits = false)
    {
        var result = new DecodeResult { Site = "s1", Device = device, Battery = 3.9, HealthTime = t };
        result.Readings.Add(new Reading { T = t, Quantity = Quantities.Find("water.level")!, Value = level });
        return new ReadingsDurableEventArgs(result, T0, acknowledgementWaits);
    }

    private AlertStore NewStore()
    {
        var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(DbPath);
        store.SeedRule(Level(), T0);
        return store;
    }

    /// <summary>An engine whose loop runs but evaluates nothing until its stop: what is queued stays queued.</summary>
    private AlertEngine HeldEngine(AlertStore store)
    {
        var engine = new AlertEngine(_options, store, TestChannels.Of(_options), _clock, _log);
        engine.HoldEvaluation();
        engine.Start();
        return engine;
    }

    [Fact]
    public async Task A_crossing_queued_at_a_graceful_stop_is_evaluated_and_its_notifications_are_in_the_outbox_after_restart()
    {
        using (var store = NewStore())
        {
            var engine = HeldEngine(store);
            for (var d = 0; d < 600; d++)
            {
                engine.OnReadingsDurable(this, Batch($"calm-{d}", S0, 3.0)); // more than one group ahead of it
            }

            engine.OnReadingsDurable(this, Batch("d1", S0, 3.0));
            engine.OnReadingsDurable(this, Batch("d1", S0 + 60, 4.2));
            Assert.Equal(602, engine.QueueLength);

            await engine.StopAsync(Generous).WaitAsync(Generous);
            Assert.Equal(602, engine.BatchesEvaluated);
            Assert.Equal(0, engine.BatchesCutAtStop);
            Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Text.Contains("602 queued items evaluated", StringComparison.Ordinal));
        }

        // restart on the same file
        using var again = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(DbPath);
        var restarted = new AlertEngine(_options, again, TestChannels.Of(_options), _clock, _log);
        var alert = Assert.Single(again.ListActive());
        Assert.Equal("d1", alert.Device);
        Assert.Equal(4.2, alert.Value);
        var outbox = again.Outbox();
        Assert.All(outbox, o => Assert.Equal(alert.Id, o.AlertId));
        Assert.All(outbox, o => Assert.Equal(AlertEventTypes.Opened, o.EventType));
        Assert.All(outbox, o => Assert.Equal("pending", o.Status));
        Assert.Equal(["email", "mqtt", "webhook"], outbox.Select(o => o.Channel).Order(StringComparer.Ordinal));
        Assert.Equal(0, restarted.BatchesCutAtStop);
        await restarted.DisposeAsync();
    }

    [Fact]
    public async Task A_queue_larger_than_the_drain_deadline_allows_is_cut_logged_and_counted_and_the_stop_returns()
    {
        const int queued = 5_000;
        long evaluated, cut;
        Task flush;
        using (var store = NewStore())
        {
            var engine = HeldEngine(store);
            for (var i = 0; i < queued; i++)
            {
                engine.OnReadingsDurable(this, Batch($"d{i % 50}", S0 + i, 3.0));
            }

            flush = engine.FlushAsync(); // queued behind everything: it must not wait forever on a cut evaluation

            // a zero deadline: the loop takes no further group once the stop has begun
            await engine.StopAsync(TimeSpan.Zero).WaitAsync(Generous);
            evaluated = engine.BatchesEvaluated;
            cut = engine.BatchesCutAtStop;
        }

        Assert.True(cut > 0, $"nothing was cut ({evaluated} evaluated): " + string.Join(" / ", _log.Entries.Select(e => e.Text)));
        Assert.Equal(queued, evaluated + cut);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush.WaitAsync(Generous));
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("drain deadline", StringComparison.Ordinal));
        Assert.Contains($"cut {cut} queued batches ({cut} readings)", warning.Text, StringComparison.Ordinal);

        // the counter outlives the process that cut them: the next run reports it
        using var again = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(DbPath);
        var restarted = new AlertEngine(_options, again, TestChannels.Of(_options), _clock, _log);
        Assert.Equal(cut, restarted.BatchesCutAtStop);
        await restarted.DisposeAsync();
    }

    [Fact]
    public async Task An_engine_stopped_twice_or_flushed_after_its_stop_does_not_hang()
    {
        using var store = NewStore();
        var engine = HeldEngine(store);
        engine.OnReadingsDurable(this, Batch("d1", S0, 4.2));
        await engine.StopAsync(Generous).WaitAsync(Generous);
        await engine.StopAsync(Generous).WaitAsync(Generous);
        await engine.DisposeAsync().AsTask().WaitAsync(Generous);
        await engine.FlushAsync().WaitAsync(Generous);
        engine.OnReadingsDurable(this, Batch("d1", S0 + 60, 4.3)); // ignored: the engine takes no input after its stop
        Assert.Equal(0, engine.QueueLength);
        Assert.Single(store.ListActive());
    }

    [Fact]
    public async Task A_start_after_a_run_that_never_stopped_reports_it_once_with_where_the_gap_begins()
    {
        using var store = NewStore();
        var crashed = new AlertEngine(_options, store, TestChannels.Of(_options), _clock, _log);
        crashed.Start();
        crashed.OnReadingsDurable(this, Batch("d1", S0, 3.0));
        await crashed.FlushAsync().WaitAsync(Generous); // a group ran: its lazy write recorded the time

        // the process dies here: nothing stops the engine; the next start finds the mark
        var next = new AlertEngine(_options, store, TestChannels.Of(_options), _clock, _log);
        Assert.Equal(1, next.UncleanStops);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("did not stop cleanly", StringComparison.Ordinal));
        Assert.Contains(T0.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), warning.Text, StringComparison.Ordinal);

        // reported once; a clean stop leaves nothing to report
        next.Start();
        await next.StopAsync(Generous).WaitAsync(Generous);
        var after = new AlertEngine(_options, store, TestChannels.Of(_options), _clock, _log);
        Assert.Equal(1, after.UncleanStops);
        Assert.Single(_log.Entries, e => e.Text.Contains("did not stop cleanly", StringComparison.Ordinal));
        await crashed.StopAsync(Generous).WaitAsync(Generous); // the test's own clean-up of the "dead" engine
    }

    [Fact]
    public async Task An_acknowledgement_that_waits_for_the_evaluation_is_released_by_the_commit_that_raised_the_alert()
    {
        using var store = NewStore();
        var engine = HeldEngine(store);
        var calm = Batch("d1", S0, 3.0, acknowledgementWaits: true);
        var crossing = Batch("d1", S0 + 60, 4.2, acknowledgementWaits: true);
        engine.OnReadingsDurable(this, calm);
        engine.OnReadingsDurable(this, crossing);
        var pending = new[] { calm.Pending!, crossing.Pending! };

        // queued, not evaluated: a replica killed now has acknowledged nothing, so the broker redelivers both
        await Task.Delay(300);
        Assert.All(pending, p => Assert.False(p.IsCompleted));
        Assert.Empty(store.ListActive());

        engine.ReleaseEvaluation();
        await Task.WhenAll(pending).WaitAsync(Generous);
        var alert = Assert.Single(store.ListActive()); // committed before the acknowledgement is released
        Assert.Equal(4.2, alert.Value);
        await engine.StopAsync(Generous).WaitAsync(Generous);
    }

    [Fact]
    public async Task A_waiting_acknowledgement_cut_at_stop_or_arriving_after_it_is_cancelled_not_released()
    {
        using var store = NewStore();
        var engine = HeldEngine(store);
        var plain = Batch("d1", S0, 3.0);
        var waiting = Batch("d1", S0 + 60, 4.2, acknowledgementWaits: true);
        engine.OnReadingsDurable(this, plain);
        engine.OnReadingsDurable(this, waiting);
        Assert.Null(plain.Pending); // the embedded and external listeners' PUBACK never waits for alerting

        await engine.StopAsync(TimeSpan.Zero).WaitAsync(Generous);
        Assert.Equal(2, engine.BatchesCutAtStop);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Pending!.WaitAsync(Generous));

        var late = Batch("d1", S0 + 120, 4.3, acknowledgementWaits: true);
        engine.OnReadingsDurable(this, late);
        Assert.True(late.Pending!.IsCanceled);
        Assert.Empty(store.ListActive());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
