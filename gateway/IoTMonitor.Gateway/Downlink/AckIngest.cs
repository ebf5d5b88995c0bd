using System.Buffers;
using System.Text.Json;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// The node's answers on <c>config/ack</c> and <c>cmd/ack</c> (protocol §6, §7), from either
/// listener: recorded in the <see cref="IDownlinkStore"/>, counted, and dead-lettered (never thrown)
/// when malformed or when they answer a revision or command the gateway never sent to that device.
/// </summary>
public sealed class AckIngest
{
    /// <summary>An ack is a few dozen bytes; anything past this is not one.</summary>
    public const int MaxPayloadBytes = 512;

    public const string BadAck = "bad_ack";
    public const string UnknownRev = "unknown_rev";
    public const string UnknownCommand = "unknown_command";
    public const string StoreFailed = "store_failed";

    private readonly IDownlinkStore _store;
    private readonly GatewayCounters _counters;
    private readonly DeadLetterStore _deadLetters;
    private readonly TimeProvider _time;

    public AckIngest(IDownlinkStore store, GatewayCounters counters, DeadLetterStore deadLetters, TimeProvider time)
    {
        _store = store;
        _counters = counters;
        _deadLetters = deadLetters;
        _time = time;
    }

    /// <summary>True for the topics this class takes (the listeners route by it).</summary>
    public static bool IsAck(TopicKind kind) => kind is TopicKind.ConfigAck or TopicKind.CommandAck;

    /// <summary>Handles one ack; <paramref name="kind"/>, <paramref name="device"/> come from the topic (already ACL-checked in embedded mode).</summary>
    /// <param name="canRedeliver">
    /// The listener can leave the message with the broker (cluster mode: not acknowledged yet): a shared store
    /// that is away then gives <see cref="AckOutcome.StoreAway"/> instead of a dead letter, and the caller tries again.
    /// </param>
    public AckOutcome Handle(string client, string topic, TopicKind kind, string device, ReadOnlySequence<byte> payload, bool canRedeliver = false)
    {
        var now = _time.GetUtcNow();
        if (payload.Length > MaxPayloadBytes || !TryRead(payload.ToArray(), kind, out var ack))
        {
            return Refuse(client, topic, payload, BadAck, now);
        }

        try
        {
            return Record(client, topic, kind, device, payload, ack, now);
        }
        catch (Exception e) when (canRedeliver && State.PostgresOutage.Is(e))
        {
            GatewayCounters.Inc(ref _counters.DownlinkAcksDeferred);
            return AckOutcome.StoreAway;
        }
        catch (System.Data.Common.DbException e)
        {
            // the answer is kept in the dead-letter file rather than lost, and the listener goes on
            return Refuse(client, topic, payload, StoreFailed, now, e.Message);
        }
    }

    private AckOutcome Record(string client, string topic, TopicKind kind, string device, ReadOnlySequence<byte> payload, Ack ack, DateTimeOffset now)
    {
        AckOutcome outcome;
        if (kind == TopicKind.ConfigAck)
        {
            outcome = _store.RecordConfigAck(device, ack.Rev, ack.Ok, ack.Err, now);
            if (outcome == AckOutcome.Unknown)
            {
                return Refuse(client, topic, payload, UnknownRev, now, $"rev {ack.Rev} was never sent to {device}");
            }

            if (outcome == AckOutcome.Recorded)
            {
                GatewayCounters.Inc(ref _counters.DownlinkConfigAcks);
                if (!ack.Ok)
                {
                    GatewayCounters.Inc(ref _counters.DownlinkConfigRejections);
                }
            }
        }
        else
        {
            outcome = _store.RecordCommandAck(device, ack.Id, ack.Ok, ack.Err, now);
            if (outcome == AckOutcome.Unknown)
            {
                return Refuse(client, topic, payload, UnknownCommand, now, $"command '{ack.Id}' was never sent to {device}");
            }

            if (outcome == AckOutcome.Recorded)
            {
                GatewayCounters.Inc(ref _counters.DownlinkCommandAcks);
                if (!ack.Ok)
                {
                    GatewayCounters.Inc(ref _counters.DownlinkCommandFailures);
                }
            }
        }

        if (outcome == AckOutcome.Duplicate)
        {
            GatewayCounters.Inc(ref _counters.DownlinkAckDuplicates);
        }

        return outcome;
    }

    private AckOutcome Refuse(string client, string topic, ReadOnlySequence<byte> payload, string reason, DateTimeOffset now, string? detail = null)
    {
        GatewayCounters.Inc(ref _counters.DownlinkAcksInvalid);
        GatewayCounters.Inc(ref _counters.DeadLetters);
        var body = payload.Length > 65536 ? payload.Slice(0, 65536).ToArray() : payload.ToArray();
        _deadLetters.Add(new DeadLetter(now, client, topic, reason, body, detail));
        return AckOutcome.Unknown;
    }

    private readonly record struct Ack(long Rev, string? Id, bool Ok, int Err);

    // {"v":1,"rev":12,"ok":true,"err":0} or {"v":1,"id":"c-42","ok":true,"err":0}: every key required, types exact.
    private static bool TryRead(byte[] payload, TopicKind kind, out Ack ack)
    {
        ack = default;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version) || version != 1
                || !root.TryGetProperty("ok", out var ok) || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
                || !root.TryGetProperty("err", out var e) || e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var err) || err < 0)
            {
                return false;
            }

            if (kind == TopicKind.ConfigAck)
            {
                if (!root.TryGetProperty("rev", out var rev) || rev.ValueKind != JsonValueKind.Number || !rev.TryGetInt64(out var r) || r < 0)
                {
                    return false;
                }

                ack = new Ack(r, null, ok.GetBoolean(), err);
                return true;
            }

            if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            ack = new Ack(0, id.GetString(), ok.GetBoolean(), err);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
