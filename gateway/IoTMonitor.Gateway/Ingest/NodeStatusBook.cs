using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Ingest;

/// <summary>What a node said about itself in its newest <c>online</c> status (protocol §5), as received by this gateway.</summary>
/// <param name="Cfg">The config hash in force: CRC-32 of the flashed document, chained with the remote config (8 hex digits).</param>
public sealed record NodeStatus(string Site, string Device, string Fw, long Boot, string Cfg, int CfgErr, int Rst, long Clk, DateTimeOffset At);

/// <summary>
/// The newest <c>online</c> status of each device since the gateway started (not persisted: the node
/// sends one at every connect). <c>iotmon flash --verify</c> reads it through the API to prove the
/// node booted the config that was flashed. A status that is not protocol JSON is dead-lettered
/// (<see cref="BadStatus"/>) and counted; <c>sleeping</c> and <c>lost</c> only update the state.
/// </summary>
public sealed class NodeStatusBook
{
    public const string BadStatus = "bad_status";

    /// <summary>A status is under 200 bytes; anything past this is not one.</summary>
    public const int MaxPayloadBytes = 1024;

    private readonly ConcurrentDictionary<string, (string State, DateTimeOffset At, NodeStatus? Online)> _byDevice = new(StringComparer.Ordinal);
    private readonly GatewayCounters _counters;
    private readonly DeadLetterStore? _deadLetters;
    private readonly TimeProvider _time;

    public NodeStatusBook(GatewayCounters counters, DeadLetterStore? deadLetters, TimeProvider time)
    {
        _counters = counters;
        _deadLetters = deadLetters;
        _time = time;
    }

    /// <summary>The device's newest state (<c>online</c>, <c>sleeping</c>, <c>lost</c>) and its newest online status, or null if none arrived.</summary>
    public (string State, DateTimeOffset At, NodeStatus? Online)? Of(string device) => _byDevice.TryGetValue(device, out var s) ? s : null;

    /// <summary>Takes one status message; false (dead-lettered) when it is not a protocol status.</summary>
    public bool Record(string client, string topic, string site, string device, ReadOnlySequence<byte> payload)
    {
        var now = _time.GetUtcNow();
        if (payload.IsEmpty)
        {
            return true; // a cleared retained status
        }

        var bytes = payload.ToArray();
        string state = string.Empty;
        NodeStatus? online = null;
        string? why = "larger than " + MaxPayloadBytes + " bytes";
        if (bytes.Length > MaxPayloadBytes || !TryRead(bytes, site, device, now, out state, out online, out why))
        {
            GatewayCounters.Inc(ref _counters.DeadLetters);
            _deadLetters?.Add(new DeadLetter(now, client, topic, BadStatus, bytes.Length > 65536 ? bytes.AsMemory(0, 65536) : bytes, why));
            return false;
        }

        _byDevice.AddOrUpdate(device, _ => (state, now, online), (_, old) => (state, now, online ?? old.Online));
        return true;
    }

    // {"v":1,"state":"online","fw":"1.0.0","boot":17,"cfg":"9f3a61c2","wake":900,"rst":2,"cfgErr":0,"clk":…}
    private static bool TryRead(byte[] payload, string site, string device, DateTimeOffset now, out string state, out NodeStatus? online, out string? why)
    {
        state = string.Empty;
        online = null;
        why = null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("v", out var v) || !v.TryGetInt32(out var version) || version != 1
                || !root.TryGetProperty("state", out var st) || st.ValueKind != JsonValueKind.String)
            {
                why = "not a v1 status object with a state";
                return false;
            }

            state = st.GetString()!;
            if (state is "sleeping" or "lost")
            {
                return true;
            }

            if (state != "online")
            {
                why = $"unknown state '{state}'";
                return false;
            }

            if (!root.TryGetProperty("cfg", out var cfg) || cfg.ValueKind != JsonValueKind.String || cfg.GetString()!.Length != 8
                || !root.TryGetProperty("cfgErr", out var ce) || !ce.TryGetInt32(out var cfgErr)
                || !root.TryGetProperty("boot", out var b) || !b.TryGetInt64(out var boot))
            {
                why = "online status without cfg (8 hex digits), cfgErr or boot";
                return false;
            }

            var fw = root.TryGetProperty("fw", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : string.Empty;
            var rst = root.TryGetProperty("rst", out var r) && r.TryGetInt32(out var rr) ? rr : 0;
            var clk = root.TryGetProperty("clk", out var c) && c.TryGetInt64(out var cc) ? cc : 0;
            online = new NodeStatus(site, device, fw, boot, cfg.GetString()!, cfgErr, rst, clk, now);
            return true;
        }
        catch (JsonException e)
        {
            why = e.Message;
            return false;
        }
        catch (InvalidOperationException e)
        {
            // a key of the wrong JSON type (TryGetInt32 on a string)
            why = e.Message;
            return false;
        }
    }
}
