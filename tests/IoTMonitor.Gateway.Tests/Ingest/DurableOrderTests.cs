using System.Buffers;
using System.Text;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Tests.Ingest;

/// <summary>
/// The pipeline's durable notifications (what the alert engine and the forwarders hear) come in WAL append
/// order, on a real WAL: a device's messages appended together complete in one group fsync, and their
/// continuations run on the thread pool, whose per-thread queue is last in, first out.
/// </summary>
public sealed class DurableOrderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-durable-order-").FullName;

    [Fact]
    public async Task A_burst_of_one_devices_messages_is_announced_in_the_order_it_was_appended()
    {
        await using var wal = WriteAheadLog.Open(new BufferingOptions { SegmentBytes = 1 << 20, MaxBytes = 64L << 20 }, _dir, NullLogger.Instance);
        var pipeline = new IngestPipeline(new ValidationOptions(), wal, new DeadLetterStore(Path.Combine(_dir, "dead.jsonl"), 1 << 20, 64), new Ledger(), TimeProvider.System);
        var heard = new List<long>();
        pipeline.ReadingsDurable += (_, e) =>
        {
            lock (heard)
            {
                heard.Add(e.Readings[0].N);
            }
        };
        var route = TopicRoute.Parse("iotmon/v1/basin-1/c006/telemetry");
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600;

        // as the cluster consumer hands a partition's held deliveries in: one after another, none awaited
        var outcomes = new List<Task<IngestOutcome>>();
        for (var n = 1; n <= 400; n += 4)
        {
            var body = Encoding.UTF8.GetBytes($$"""{"v":1,"fw":"1.0.0","boot":1,"clk":{{t + n}},"h":{"bat":3.9,"rssi":-70,"qd":0,"drop":0,"rst":1},"r":[[{{n}},{{t + n}},"water.level",1.2,0]]}""");
            outcomes.Add(pipeline.HandleTelemetryAsync("c006", route, new ReadOnlySequence<byte>(body)));
        }

        Assert.All(await Task.WhenAll(outcomes).WaitAsync(TimeSpan.FromSeconds(30)), o => Assert.Equal(IngestOutcome.Durable, o));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 1L + (4 * i)), heard);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
