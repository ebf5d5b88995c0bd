using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

/// <summary>
/// Group commit: what is queued is evaluated in one transaction, rule states and schedules are
/// written once per group and only when they changed, a failing item costs only itself, and the
/// store holds a consistent state after every group.
/// </summary>
public sealed class AlertEngineGroupTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly long S0 = T0.ToUnixTimeSeconds();
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-alert-group-").FullName;
    private readonly ManualTimeProvider _clock = new(T0);
    private readonly List<AlertStore> _stores = [];
    private readonly List<AlertEngine> _engines = [];

    private readonly AlertsOptions _options = new()
    {
        Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
        Email = { Host = "127.0.0.1", From = "alerts@example.org" },
        Primary = { Emails = ["duty@example.org"] },
        Influx = { Enabled = false },
        Mqtt = { Enabled = true },
        FlapWindowSeconds = 0,
        TickSeconds = 3600, // the ticker runs on the real clock: keep it out of the groups these tests count
    };

    private static AlertRule Level(int minDuration = 0) => new()
    {
        Id = "level.high",
        Name = "Water level high",
        Kind = RuleKind.Threshold,
        Quantity = "water.level",
        Above = 3.5,
        Hysteresis = 0.1,
        MinDurationSeconds = minDuration,
        Severity = Severity.Critical,
        Source = "site-specific",
        Action = "Warn downstream",
    };

    private AlertStore Store(string name = "alerts.db", params AlertRule[] rules)
    {
        var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(Path.Combine(_dir, name));
        foreach (var r in rules)
        {
            store.SeedRule(r, T0);
        }

        _stores.Add(store);
        return store;
    }

    private AlertEngine Engine(AlertStore store, Func<string, SiteProfile?>? profiles = null)
    {
        var engine = new AlertEngine(_options, store, TestChannels.Of(_options), _clock, NullLogger.Instance, profiles) { GroupBudget = TimeSpan.FromMinutes(5) };
        _engines.Add(engine);
        return engine;
    }

    /// <summary>A batch as the ingest pipeline hands it over after the WAL.</summary>
    private static ReadingsDurableEventArgs Batch(string site, string device, params (long T, double? Value, long Flags)[] levels)
    {
        var result = new DecodeResult { Site = site, Device = device, Battery = 3.9, HealthTime = levels.Length > 0 ? levels[0].T : S0 };
        foreach (var (t, value, flags) in levels)
        {
            result.Readings.Add(new Reading { T = t, Quantity = Quantities.Find("water.level")!, Value = value, Flags = flags });
        }

        return new ReadingsDurableEventArgs(result, T0);
    }

    private static ReadingsDurableEventArgs Batch(string site, string device, long t, double value) => Batch(site, device, (t, value, 0));

    /// <summary>Each device crosses above the limit, stays up, then clears past the hysteresis.</summary>
    private static List<ReadingsDurableEventArgs> Crossings(int devices)
    {
        double[] levels = [3.0, 3.8, 4.2, 3.9, 3.0, 3.2];
        var list = new List<ReadingsDurableEventArgs>();
        for (var k = 0; k < levels.Length; k++)
        {
            for (var d = 0; d < devices; d++)
            {
                list.Add(Batch("s1", $"d{d}", S0 + (k * 60), levels[k] + (d * 0.01)));
            }
        }

        return list;
    }

    /// <summary>What the store says happened, without the generated ids: one line per alert and per outbox row.</summary>
    private static List<string> Outcome(AlertStore store)
    {
        var alerts = store.ListAlerts(new AlertQuery(Limit: 10_000));
        var byId = alerts.ToDictionary(a => a.Id);
        var lines = alerts.Select(a => $"alert {a.Device} {a.State} since {a.Since:O} worst {a.Worst} late {a.Late}").ToList();
        lines.AddRange(store.Outbox(limit: 10_000).Select(o => $"outbox {byId[o.AlertId].Device} {o.EventType} {o.Channel} {o.Recipient} {o.Status}"));
        lines.AddRange(store.LoadStates().Select(s => $"state {s.Key.Rule} {s.Key.Device} {s.Value.Site} {JsonSerializer.Serialize(s.Value.State, AlertRule.Json)}"));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    [Fact]
    public async Task A_queued_burst_is_evaluated_in_one_transaction_with_the_outcome_of_one_by_one()
    {
        var batches = Crossings(devices: 20); // 120 batches: 20 alerts opened and resolved
        var grouped = Store("grouped.db", Level());
        var engine = Engine(grouped);
        foreach (var b in batches)
        {
            engine.OnReadingsDurable(this, b);
        }

        var commits = grouped.Commits;
        var flushed = engine.FlushAsync(); // queued before the loop runs: it cannot take the batches as a group of their own
        engine.Start(); // everything is queued already: the loop takes it as one group
        await flushed;

        Assert.Equal(1, grouped.Commits - commits);
        Assert.Equal(1, engine.GroupsCommitted);
        Assert.Equal(batches.Count, engine.BatchesEvaluated);
        var alerts = grouped.ListAlerts(new AlertQuery());
        Assert.Equal(20, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(AlertStates.Resolved, a.State));
        Assert.Equal(20, grouped.Outbox().Count(o => o.EventType == AlertEventTypes.Opened && o.Channel == "email"));
        Assert.Equal(20, grouped.Outbox().Count(o => o.EventType == AlertEventTypes.Resolved && o.Channel == "webhook"));

        // the same batches one transaction each (the engine before group commit did exactly this)
        var single = Store("single.db", Level());
        var reference = Engine(single);
        foreach (var b in batches)
        {
            reference.EvaluateBatch(b.Site, b.Device, b.Readings.Select(r => (r.T, r.Quantity.Code, r.Value, r.Flags)).ToArray(), b.Battery, b.HealthTime);
        }

        Assert.Equal(batches.Count, single.Commits);

        // states whose changes decide nothing by themselves (last value, last seen) are written every
        // few seconds and at stop: stopping both engines writes them
        await engine.DisposeAsync();
        await reference.DisposeAsync();
        Assert.Equal(Outcome(single), Outcome(grouped));
    }

    [Fact]
    public async Task A_group_takes_at_most_512_queued_items()
    {
        var store = Store(rules: Level());
        var engine = Engine(store);
        for (var i = 0; i < 600; i++)
        {
            engine.OnReadingsDurable(this, Batch("s1", "d1", S0 + i, 3.0));
        }

        var flushed = engine.FlushAsync(); // queued before the loop runs, so the group count does not depend on its timing
        engine.Start();
        await flushed;
        Assert.Equal(2, engine.GroupsCommitted); // 512, then the other 88 and the flush
        Assert.Equal(600, engine.BatchesEvaluated);
        await engine.DisposeAsync(); // writes the last value, which alone decides nothing
        Assert.Equal(S0 + 599, store.LoadStates()[("level.high", "d1")].State.LastT);
    }

    [Fact]
    public async Task A_first_item_slower_than_the_budget_does_not_cut_every_group_to_one_item()
    {
        // the group's first reads (here the site profile, read once per site and group) took longer than the
        // whole budget on a busy PostgreSQL: the budget counts after the first item, or every group is one item
        var store = Store(rules: Level());
        var engine = Engine(store, site =>
        {
            Thread.Sleep(30);
            return null;
        });
        engine.GroupBudget = TimeSpan.FromMilliseconds(10);
        for (var i = 0; i < 200; i++)
        {
            engine.OnReadingsDurable(this, Batch("s1", "d1", S0 + i, 3.0));
        }

        var flushed = engine.FlushAsync();
        engine.Start();
        await flushed.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(200, engine.BatchesEvaluated);
        Assert.True(engine.GroupsCommitted <= 20, $"{engine.GroupsCommitted} groups for 200 queued batches");
    }

    [Fact]
    public async Task Unchanged_states_and_schedules_are_not_written_and_routine_changes_once_every_few_seconds()
    {
        var store = Store(rules: Level());
        var engine = Engine(store);
        engine.EvaluateBatch("s1", "d1", [(S0, "water.level", 3.0, 0)], 3.9, S0);
        Assert.Equal((1, 1), (store.StateWrites, store.ScheduleWrites));

        var (states, schedules) = (store.StateWrites, store.ScheduleWrites);
        engine.EvaluateBatch("s1", "d1", [(S0, "water.level", 3.0, 0)], 3.9, S0);        // duplicate, same gateway second
        engine.EvaluateBatch("s1", "d1", [(S0 - 60, "water.level", 3.3, 0)], 3.9, S0);   // older than the last reading
        engine.EvaluateBatch("s1", "d1", [(S0 + 60, "water.level", null, 4)], 3.9, S0);  // NO_VALUE: threshold rules skip it
        engine.EvaluateBatch("s1", "d1", [(S0 + 60, "water.ph", 7.1, 0)], 3.9, S0);      // no rule for this quantity
        Assert.Equal(states, store.StateWrites);
        Assert.Equal(schedules, store.ScheduleWrites);
        Assert.Equal(5, store.Commits); // each EvaluateBatch still committed (nothing to write is not an error)

        // ten batches of one device in one group, below the threshold: only the last value and last
        // seen change, which decide nothing by themselves: not written yet...
        _clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 1; i <= 10; i++)
        {
            engine.OnReadingsDurable(this, Batch("s1", "d1", S0 + (i * 60), 3.0 + (i * 0.01)));
        }

        engine.Start();
        await engine.FlushAsync();
        Assert.Equal((states, schedules), (store.StateWrites, store.ScheduleWrites));

        // ...but once, by the first group at least 5 s after the last such write
        _clock.Advance(TimeSpan.FromSeconds(5));
        await engine.FlushAsync();
        Assert.Equal(states + 1, store.StateWrites);
        Assert.Equal(schedules + 1, store.ScheduleWrites);
        var stored = store.LoadStates()[("level.high", "d1")].State;
        Assert.Equal((S0 + 600, 3.1), (stored.LastT, stored.LastValue));

        // a change that decides what happens next (the level above 3.5: pending) is written with its group
        engine.OnReadingsDurable(this, Batch("s1", "d1", S0 + 700, 3.9));
        await engine.FlushAsync();
        Assert.Equal(states + 2, store.StateWrites);
        var crossing = store.LoadStates()[("level.high", "d1")].State;
        Assert.True(crossing.Active || crossing.PendingSince is not null, "the crossing is in the store with its group");
    }

    [Fact]
    public async Task An_item_that_throws_costs_only_itself_and_leaves_nothing_behind()
    {
        var store = Store(rules: Level());

        // a registry failing in a way SiteOf does not expect, for one site only
        var broken = true;
        var engine = Engine(store, site => broken && site == "broken" ? throw new NotSupportedException("registry failure (test)") : null);
        engine.OnReadingsDurable(this, Batch("s1", "d1", S0, 3.0));
        engine.OnReadingsDurable(this, Batch("s1", "d1", S0 + 60, 4.0));
        engine.OnReadingsDurable(this, Batch("broken", "d9", S0 + 60, 4.0));
        engine.OnReadingsDurable(this, Batch("s1", "d2", S0 + 60, 4.4));
        engine.OnStatus("s1", "d3", Encoding.UTF8.GetBytes("""{"v":1,"state":"online","wake":900}"""));
        var flushed = engine.FlushAsync(); // queued before the loop runs: the flush is part of the group, not one of its own
        engine.Start();
        await flushed;

        Assert.Equal(1, engine.EvaluationFailures);
        Assert.Equal(3, engine.BatchesEvaluated);
        Assert.Equal(2, engine.GroupsCommitted); // the items before the failing one, then those after it
        Assert.Equal(["d1", "d2"], store.ListActive().Select(a => a.Device).Order().ToArray());
        Assert.Equal(2, store.Outbox().Count(o => o.EventType == AlertEventTypes.Opened && o.Channel == "email"));
        var states = store.LoadStates();
        Assert.Equal(["d1", "d2"], states.Keys.Select(k => k.Device).Order().ToArray());
        Assert.True(states[("level.high", "d1")].State.Active);
        var schedules = store.LoadSchedules();
        Assert.Equal(["d1", "d2", "d3"], schedules.Keys.Order().ToArray()); // d9's schedule went with its batch
        Assert.Equal(900, schedules["d3"].WakeSeconds);

        // Nothing of the failed batch stayed in memory either. Had its state been kept (last reading at
        // +60 s, raised), this earlier reading would be ignored as older; it opens d9's alert instead.
        broken = false;
        engine.OnReadingsDurable(this, Batch("broken", "d9", S0 + 30, 4.0));
        await engine.FlushAsync();
        Assert.Contains(store.ListActive(), a => a.Device == "d9");
        Assert.Equal(1, engine.EvaluationFailures);
    }

    [Fact]
    public async Task State_written_by_a_group_is_what_a_restarted_engine_continues_from()
    {
        var store = Store(rules: Level(minDuration: 600));
        var engine = Engine(store);
        engine.OnReadingsDurable(this, Batch("s1", "d1", S0, 4.0));
        engine.OnReadingsDurable(this, Batch("s1", "d1", S0 + 360, 4.1)); // pending: 6 of 10 minutes
        engine.OnStatus("s1", "d1", Encoding.UTF8.GetBytes("""{"v":1,"state":"online","wake":900}"""));
        var flushed = engine.FlushAsync(); // queued before the loop runs: one group (the loop could take the items before a later flush)
        engine.Start();
        await flushed;
        Assert.Equal(1, engine.GroupsCommitted);
        await engine.DisposeAsync();

        // a new engine on the same file, as after a restart
        var restarted = Engine(store);
        var state = store.LoadStates()[("level.high", "d1")].State;
        Assert.Equal((S0, S0 + 360, 4.1), (state.PendingSince, state.LastT, state.LastValue));
        Assert.Equal(900, store.LoadSchedules()["d1"].WakeSeconds);
        Assert.Empty(store.ListActive());

        restarted.EvaluateBatch("s1", "d1", [(S0 + 660, "water.level", 4.2, 0)], 3.9, S0);
        var alert = Assert.Single(store.ListActive());
        Assert.Equal(T0, alert.Since); // the pending time from before the restart counted
        Assert.Contains("rising", alert.Trend, StringComparison.Ordinal); // and the last value: it compared 4.2 with 4.1
    }

    [Fact]
    public async Task The_ingest_hook_allocates_nothing_per_batch()
    {
        var store = Store(rules: Level());
        var engine = Engine(store);
        engine.Start();
        var batch = Batch("s1", "d1", S0, 3.0);
        for (var i = 0; i < 2_000; i++)
        {
            engine.OnReadingsDurable(this, batch); // grows the queue's ring to its working size
        }

        await engine.FlushAsync();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 500; i++)
        {
            engine.OnReadingsDurable(this, batch);
        }

        var perBatch = (GC.GetAllocatedBytesForCurrentThread() - before) / 500.0;
        await engine.FlushAsync();
        Assert.True(perBatch < 8, $"{perBatch:0.0} bytes allocated per queued batch; the hook used to allocate a LINQ projection and a closure for each");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in _engines)
        {
            await engine.DisposeAsync();
        }

        foreach (var store in _stores)
        {
            store.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
