using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts;

/// <summary>
/// Redelivered batches inside the engine: skipped within one group as across groups, and a batch
/// whose evaluation was rolled back is evaluated when it comes again.
/// </summary>
public sealed class AlertEngineDuplicatesTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly long S0 = T0.ToUnixTimeSeconds();
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-alert-dups-").FullName;
    private readonly ManualTimeProvider _clock = new(T0);
    private readonly List<AlertEngine> _engines = [];
    private readonly List<AlertStore> _stores = [];

    private readonly AlertsOptions _options = new()
    {
        Webhook = { Urls = ["http://127.0.0.1:9/hook"] },
        Influx = { Enabled = false },
        Mqtt = { Enabled = true },
        FlapWindowSeconds = 0,
        TickSeconds = 3600,
    };

    /// <summary>A flat line of 3 identical readings is a probe fault (the counted repeats are 2).</summary>
    private static AlertRule Flat() => new()
    {
        Id = "probe.flat",
        Name = "Water level probe flat-lined",
        Kind = RuleKind.ProbeFault,
        Quantity = "water.level",
        Samples = 3,
        Severity = Severity.Warning,
        Source = "test",
        Action = "Clean the probe",
    };

    private AlertEngine Engine(Func<string, SiteProfile?>? profiles = null)
    {
        var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(Path.Combine(_dir, "alerts.db"));
        store.SeedRule(Flat(), T0);
        _stores.Add(store);
        var engine = new AlertEngine(_options, store, TestChannels.Of(_options), _clock, NullLogger.Instance, profiles) { GroupBudget = TimeSpan.FromMinutes(5) };
        _engines.Add(engine);
        return engine;
    }

    /// <summary>A batch as the ingest pipeline hands it over, with its boot and sequence numbers.</summary>
    private static ReadingsDurableEventArgs Batch(string site, string device, long boot, long firstSeq, params double[] levels)
    {
        var result = new DecodeResult { Site = site, Device = device, Boot = boot, Battery = 3.9, HealthTime = S0 };
        for (var i = 0; i < levels.Length; i++)
        {
            result.Readings.Add(new Reading { N = firstSeq + i, T = S0 + firstSeq + i, Quantity = Quantities.Find("water.level")!, Value = levels[i], Index = i });
        }

        return new ReadingsDurableEventArgs(result, T0);
    }

    [Fact]
    public async Task A_redelivery_in_the_same_group_as_the_original_is_skipped()
    {
        var engine = Engine();
        var batch = Batch("s1", "d1", boot: 1, firstSeq: 1, 2.0, 2.0);
        engine.OnReadingsDurable(this, batch);
        engine.OnReadingsDurable(this, batch);
        var flushed = engine.FlushAsync(); // queued before the loop runs: all three in one group
        engine.Start();
        await flushed;

        Assert.Equal(1, engine.StateOf("probe.flat", "d1")!.Repeats); // 2.0, 2.0: one repeat, not three
        Assert.Equal(2, engine.DuplicateReadingsSkipped);
        Assert.Empty(engine.Store.ListActive());
    }

    [Fact]
    public async Task A_batch_whose_evaluation_was_rolled_back_is_evaluated_when_it_comes_again()
    {
        // the registry answers the group's scope lookup, then fails when the raised alert's notice is
        // written: after the readings were recorded as evaluated, so the rollback must undo that
        var broken = true;
        var calls = 0;
        var engine = Engine(site => broken && site == "broken" && ++calls >= 2 ? throw new NotSupportedException("registry failure (test)") : null);
        engine.Start();
        var batch = Batch("broken", "d9", boot: 1, firstSeq: 1, 2.0, 2.0, 2.0);
        engine.OnReadingsDurable(this, batch);
        await engine.FlushAsync();
        Assert.Equal(1, engine.EvaluationFailures);
        Assert.True(calls >= 2, "the failure must have come after the readings were recorded");
        Assert.Null(engine.EvaluatedSequencesOf("d9")); // the rolled-back evaluation left no record

        broken = false;
        engine.OnReadingsDurable(this, batch); // the node resends (its PUBACK was not the problem, but it may)
        await engine.FlushAsync();

        Assert.Equal(0, engine.DuplicateReadingsSkipped);
        var alert = Assert.Single(engine.Store.ListActive());
        Assert.Equal("probe.flat", alert.RuleId);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var e in _engines)
        {
            await e.DisposeAsync();
        }

        foreach (var s in _stores)
        {
            s.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
