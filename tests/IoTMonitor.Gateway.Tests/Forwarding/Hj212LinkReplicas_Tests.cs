using IoTMonitor.Gateway.Forwarding;
using IoTMonitor.Gateway.Forwarding.Hj212;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Query;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Tests.State;
using IoTMonitor.Gateway.Validation;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>
/// Two gateway replicas' HJ 212 links to one (simulated) platform, their outboxes shared in one
/// PostgreSQL database: both store packets, one sends them, and when it stops the other takes over.
/// </summary>
public sealed class Hj212LinkReplicas_Tests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly Hj212PlatformSimulator _platform = new();
    private readonly Hj212Options _options = new() { AnswerTimeoutSeconds = 2, RetryCount = 2, ReconnectSeconds = 1 };
    private readonly InfluxQueryClient _noInflux = new(new InfluxConnection(new StorageOptions { Url = "http://127.0.0.1:9" }, new PlainClients()), new QueryOptions());

    private Hj212Platform Config => new()
    {
        Name = "sim",
        Host = "127.0.0.1",
        Port = _platform.Port,
        Password = "123456",
        Sites = [new Hj212Station { Site = "river-1", Mn = "SW330100001", St = "21" }],
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _platform.DisposeAsync();
        _noInflux.Dispose();
    }

    /// <summary>
    /// 20 packets stored alternately by replicas A and B reach the platform once each, all over one
    /// replica's connection while both links are up; then the sending replica stops cleanly and the
    /// 10 packets stored after arrive once each through the other.
    /// </summary>
    [Fact]
    public async Task Two_replicas_links_send_each_packet_once_and_the_second_takes_over_when_the_first_stops()
    {
        using var storage = await StoreStorage.OpenAsync(StateOptions.Postgres, postgres.Server);
        var composer = new Hj212Composer(_options);
        var replicas = new[] { Start(storage, "replica-a"), Start(storage, "replica-b") };

        var queued = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            queued.Add(Queue(composer, replicas[i % 2].Outbox, replicas[i % 2].Link, i));
        }

        var got = await _platform.WaitForAsync(p => p.Count >= 20, Wait);
        await WaitPendingAsync(replicas[0].Outbox, 0);
        Assert.Equal(queued.Order(StringComparer.Ordinal), got.Select(p => p.Qn).Order(StringComparer.Ordinal));
        var sender = Interlocked.Read(ref replicas[0].Link.Counters.Sent) > 0 ? 0 : 1;
        Assert.Equal(20, Interlocked.Read(ref replicas[sender].Link.Counters.Answered));
        Assert.Equal(0, Interlocked.Read(ref replicas[1 - sender].Link.Counters.Sent));

        await replicas[sender].Link.DisposeAsync();
        replicas[sender].Outbox.Dispose(); // a clean stop gives the platform's lease up
        for (var i = 20; i < 30; i++)
        {
            queued.Add(Queue(composer, replicas[1 - sender].Outbox, replicas[1 - sender].Link, i));
        }

        await _platform.WaitForAsync(p => p.Count >= 30, Wait);
        await WaitPendingAsync(replicas[1 - sender].Outbox, 0);
        await Task.Delay(TimeSpan.FromSeconds(_options.AnswerTimeoutSeconds + 1)); // a second copy would have come by now
        Assert.Equal(queued.Order(StringComparer.Ordinal), _platform.Packets.Select(p => p.Qn).Order(StringComparer.Ordinal));
        Assert.Equal(10, Interlocked.Read(ref replicas[1 - sender].Link.Counters.Answered));
        Assert.Equal(new ForwardingOutboxCounts(0, 0, 30, null), replicas[1 - sender].Outbox.Counts());
        Assert.Empty(_platform.Violations);
        await replicas[1 - sender].Link.DisposeAsync();
    }

    private (Hj212Link Link, IForwardingOutbox Outbox) Start(StoreStorage storage, string holder)
    {
        var composer = new Hj212Composer(_options);
        var outbox = new PostgresForwardingOutbox(storage.Replica(), "hj212-sim", holder, TimeSpan.FromSeconds(30));
        var counters = new ForwardingCounters();
        var requests = new Hj212Requests(Config, _options, composer, new Hj212AggregateSource(_noInflux, composer.Time), counters, TimeProvider.System, NullLogger.Instance);
        var link = new Hj212Link(Config, outbox, _options, requests, counters, TimeProvider.System, NullLogger.Instance);
        link.Start();
        return (link, outbox);
    }

    private string Queue(Hj212Composer composer, IForwardingOutbox outbox, Hj212Link link, int i)
    {
        var t = 1795134600L + (i * 60);
        IReadOnlyList<(string Qn, string Frame)> frames = [];
        Assert.True(outbox.AddStamped($"2011|river-1|dev|{t}", "2011", "river-1", t, stamp => frames = composer.RealTime(Config, Config.Sites[0], t, [new Reading { T = t, Quantity = Quantities.Find("water.ph")!, Value = 7 + (i / 100.0) }], false, () => composer.Time.Qn(stamp())), DateTimeOffset.UtcNow));
        link.Wake();
        return Assert.Single(frames).Qn;
    }

    private static async Task WaitPendingAsync(IForwardingOutbox outbox, long pending)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (outbox.Counts().Pending != pending)
        {
            Assert.True(DateTime.UtcNow < deadline, $"outbox still has {outbox.Counts().Pending} pending");
            await Task.Delay(50);
        }
    }

    private sealed class PlainClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }
}
