using System.Buffers;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Ingest;

public enum IngestOutcome
{
    /// <summary>Durable in the WAL: acknowledge.</summary>
    Durable,

    /// <summary>Refused and kept in the dead-letter store: acknowledge (a resend would fail the same way).</summary>
    DeadLettered,

    /// <summary>Could not be made durable now (WAL full or failing): do not acknowledge; the sender retries.</summary>
    Refused,

    /// <summary>
    /// Durable, but the alert engine stopped before it committed the batch's evaluation: do not
    /// acknowledge, so the broker gives the message to the next consumer (only when the caller asked
    /// the acknowledgement to wait for the evaluation).
    /// </summary>
    Unevaluated,
}

/// <summary>
/// The path of one telemetry message, shared by both listeners:
/// <code>
/// payload -> decode + validate -> (dead-letter store) -> line protocol -> WAL append (fsync) -> ack
///                                                                          \-> InfluxWriter
/// </code>
/// </summary>
public sealed class IngestPipeline
{
    [ThreadStatic]
    private static DecodeResult? t_result;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_lines;

    private readonly TelemetryDecoder _decoder;
    private readonly WriteAheadLog _wal;
    private readonly DeadLetterStore _deadLetters;
    private readonly Ledger _ledger;
    private readonly TimeProvider _time;
    private readonly DurableOrder _durableOrder;

    public IngestPipeline(ValidationOptions options, WriteAheadLog wal, DeadLetterStore deadLetters, Ledger ledger, TimeProvider time)
    {
        _decoder = new TelemetryDecoder(options.MaxFutureSkewSeconds);
        _wal = wal;
        _deadLetters = deadLetters;
        _ledger = ledger;
        _time = time;
        _durableOrder = new DurableOrder(e => ReadingsDurable?.Invoke(this, e));
    }

    public Ledger Ledger => _ledger;

    /// <summary>A batch is durable in the WAL (the alert engine listens here); raised in WAL append order, so a device's batches arrive in the order it sent them (<see cref="DurableOrder"/>).</summary>
    public event EventHandler<ReadingsDurableEventArgs>? ReadingsDurable;

    /// <summary>Raised, synchronously, with a message's valid readings once they are handed to the WAL; the result is reused after handlers return.</summary>
    public event Action<DecodeResult>? ReadingsAccepted;

    public DeadLetterStore DeadLetters => _deadLetters;

    /// <summary>Records a message refused before decoding (ACL, unknown device) in the dead-letter store.</summary>
    public void Refuse(string client, string topic, ReadOnlySequence<byte> payload, string reason)
    {
        var c = _ledger.Counters;
        GatewayCounters.Inc(ref c.MessagesReceived);
        GatewayCounters.Inc(ref c.MessagesInvalid);
        GatewayCounters.Inc(ref c.DeadLetters);
        _deadLetters.Add(new DeadLetter(_time.GetUtcNow(), client, topic, reason, DeadLetterStore.Kept(payload)));
    }

    /// <summary>
    /// Handles one telemetry message. Runs synchronously up to the WAL append, so the caller's
    /// payload buffer is no longer read once the returned task is pending.
    /// </summary>
    /// <param name="untilEvaluated">
    /// The outcome waits, after the WAL, for what the <see cref="ReadingsDurable"/> handlers keep the
    /// batch for (<see cref="ReadingsDurableEventArgs.AcknowledgeAfter(Task)"/>: the alert engine's
    /// commit). The cluster consumer asks for it: its broker redelivers what a killed replica had not
    /// acknowledged, so nothing it acknowledged may still be waiting in memory.
    /// </param>
    public Task<IngestOutcome> HandleTelemetryAsync(string client, in TopicRoute route, ReadOnlySequence<byte> payload, bool untilEvaluated = false)
    {
        var topic = route.Topic;
        var c = _ledger.Counters;
        GatewayCounters.Inc(ref c.MessagesReceived);
        var now = _time.GetUtcNow();
        var result = t_result ??= new DecodeResult();
        if (payload.Length > TelemetryDecoder.MaxPayloadBytes)
        {
            result.Reset();
            result.Error = DecodeError.TooLarge;
        }
        else if (payload.IsSingleSegment)
        {
            _decoder.Decode(route.Kind, route.Site, route.Device, payload.FirstSpan, now.ToUnixTimeSeconds(), result);
        }
        else
        {
            _decoder.Decode(route.Kind, route.Site, route.Device, payload.ToArray(), now.ToUnixTimeSeconds(), result);
        }

        if (result.Error is not null)
        {
            GatewayCounters.Inc(ref c.MessagesInvalid);
            GatewayCounters.Inc(ref c.DeadLetters);
            _deadLetters.Add(new DeadLetter(now, client, topic, result.Error, DeadLetterStore.Kept(payload), result.ErrorDetail));
            return Task.FromResult(IngestOutcome.DeadLettered);
        }

        GatewayCounters.Add(ref c.ReadingsReceived, result.Readings.Count + result.Rejected.Count);
        if (result.Rejected.Count > 0)
        {
            GatewayCounters.Add(ref c.ReadingsInvalid, result.Rejected.Count);
            GatewayCounters.Inc(ref c.DeadLetters);
            result.Rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
            var detail = string.Join(", ", result.Rejected.Select(r => $"r[{r.Index}]: {r.Reason}"));
            _deadLetters.Add(new DeadLetter(now, client, topic, result.Rejected[0].Reason, payload.ToArray(), detail));
        }

        var lines = t_lines ??= new ArrayBufferWriter<byte>(4096);
        lines.ResetWrittenCount();
        var count = LineProtocol.AppendBatch(result, lines);
        var record = lines.WrittenSpan.ToArray();
        var readings = result.Readings.Count;
        var seqs = new long[readings];
        for (var i = 0; i < readings; i++)
        {
            seqs[i] = result.Readings[i].N;
        }

        var ledger = _ledger.For(result.Site, result.Device);
        var boot = result.Boot;
        ledger.Health(now, result.Battery, result.Rssi, result.Dropped);
        ledger.Network(result.Operator, result.AccessTech, result.Rsrp, result.Iccid);
        Task append;
        try
        {
            append = _wal.AppendAsync(record, count);
        }
        catch (WalFullException)
        {
            GatewayCounters.Inc(ref c.WalFull);
            GatewayCounters.Inc(ref c.MessagesRefused);
            return Task.FromResult(IngestOutcome.Refused);
        }

        var durable = ReadingsDurable is null ? null : _durableOrder.Enqueue(append, new ReadingsDurableEventArgs(result, now, untilEvaluated));
        ReadingsAccepted?.Invoke(result);
        return CompleteAsync(append, ledger, boot, seqs, count, durable);
    }

    // One continuation per message after the group fsync: accounting, then the durable notification.
    private async Task<IngestOutcome> CompleteAsync(Task append, DeviceLedger ledger, long boot, long[] seqs, int points, DurableOrder.Entry? durable)
    {
        var c = _ledger.Counters;
        try
        {
            await append.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            _durableOrder.RaiseCompleted(); // passed over: the ones behind it are not held up
            GatewayCounters.Inc(ref c.MessagesRefused);
            return IngestOutcome.Refused;
        }

        GatewayCounters.Inc(ref c.MessagesDurable);
        GatewayCounters.Add(ref c.ReadingsDurable, seqs.Length);
        GatewayCounters.Add(ref c.PointsDurable, points);
        long duplicates = 0;
        foreach (var seq in seqs)
        {
            if (!ledger.Observe(boot, seq))
            {
                duplicates++;
            }
        }

        if (duplicates > 0)
        {
            GatewayCounters.Add(ref c.Duplicates, duplicates);
        }

        if (durable is not null)
        {
            _durableOrder.RaiseCompleted();
            await durable.Raised.Task.ConfigureAwait(false); // raised by this or an earlier message's continuation, in append order
            if (durable.Args.Pending is { } pending)
            {
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    GatewayCounters.Inc(ref c.MessagesRefused);
                    return IngestOutcome.Unevaluated;
                }
            }
        }

        return IngestOutcome.Durable;
    }
}
