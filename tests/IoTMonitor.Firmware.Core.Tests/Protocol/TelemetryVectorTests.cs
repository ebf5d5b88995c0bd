using System.Text;
using System.Text.Json;
using IoTMonitor.Firmware.Core.Protocol;

namespace IoTMonitor.Firmware.Core.Tests.Protocol;

/// <summary>The encoder must produce every "encode" vector's payload byte for byte (tests/vectors/README.md).</summary>
public class TelemetryVectorTests
{
    public static TheoryData<string> EncodeVectors()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("tests", "vectors", "telemetry"), "*.json").Order())
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            if (doc.RootElement.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "encode"))
            {
                data.Add(Path.GetFileName(file));
            }
        }

        return data;
    }

    [Fact]
    public void There_are_encode_vectors()
    {
        Assert.True(EncodeVectors().Count >= 6);
    }

    [Theory]
    [MemberData(nameof(EncodeVectors))]
    public void Encodes_vector_byte_for_byte(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(RepoPaths.Combine("tests", "vectors", "telemetry", name)));
        var root = doc.RootElement;
        var (header, readings) = VectorBatch.Parse(root.GetProperty("batch"));
        var expected = Encoding.UTF8.GetBytes(root.GetProperty("payload").GetString()!);

        var buffer = new byte[ProtocolLimits.MaxPayloadBytes];
        int n = new TelemetryEncoder().Encode(header, readings, 0, readings.Length, buffer, 0, buffer.Length);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(buffer, 0, n));
        Assert.Equal(expected, buffer[..n]);
        Assert.Equal(root.GetProperty("bytes").GetInt32(), n);
    }
}

/// <summary>Turns a vector's "batch" object into encoder input.</summary>
internal static class VectorBatch
{
    // A cellular node's health keys (op, act, rsrp, iccid) as the link reports them; null when the batch has none.
    private static NetworkReport? Network(JsonElement h)
    {
        bool any = h.TryGetProperty("op", out var op) | h.TryGetProperty("act", out var act) | h.TryGetProperty("rsrp", out var rsrp) | h.TryGetProperty("iccid", out var iccid);
        return !any ? null : new NetworkReport
        {
            Operator = op.ValueKind == JsonValueKind.String ? op.GetString() : null,
            AccessTech = act.ValueKind == JsonValueKind.Number ? act.GetInt32() : -1,
            RsrpDbm = rsrp.ValueKind == JsonValueKind.Number ? rsrp.GetInt32() : 0,
            Iccid = iccid.ValueKind == JsonValueKind.String ? iccid.GetString() : null,
        };
    }

    public static (TelemetryHeader Header, Reading[] Readings) Parse(JsonElement batch)
    {
        var h = batch.GetProperty("health");
        var header = new TelemetryHeader
        {
            Firmware = batch.GetProperty("fw").GetString()!,
            Boot = batch.GetProperty("boot").GetInt32(),
            Clock = batch.GetProperty("clk").GetInt64(),
            CalibrationId = batch.GetProperty("cal").ValueKind == JsonValueKind.Null ? null : batch.GetProperty("cal").GetString(),
            Battery = h.GetProperty("bat").GetDouble(),
            Rssi = h.GetProperty("rssi").GetInt32(),
            Queued = h.GetProperty("qd").GetInt32(),
            Dropped = h.GetProperty("drop").GetInt32(),
            ResetReason = h.GetProperty("rst").GetInt32(),
            PowerMode = h.TryGetProperty("pwr", out var pwr) ? pwr.GetInt32() : 0,
            EventMode = h.TryGetProperty("ev", out var ev) ? ev.GetInt32() : 0,
            DriftPpm = h.TryGetProperty("drift", out var drift) ? drift.GetInt32() : 0,
            Unplaceable = h.TryGetProperty("unp", out var unp) ? unp.GetInt32() : 0,
            Network = Network(h),
            SendIccid = h.TryGetProperty("iccid", out _),
        };
        var readings = batch.GetProperty("readings").EnumerateArray().Select(r =>
        {
            var reading = new Reading
            {
                Seq = r.GetProperty("n").GetInt32(),
                Time = r.GetProperty("t").GetInt64(),
                Quantity = Quantities.IndexOf(r.GetProperty("quantity").GetString()),
                Value = r.GetProperty("value").ValueKind == JsonValueKind.Null ? double.NaN : r.GetProperty("value").GetDouble(),
                Flags = r.GetProperty("flags").GetInt32(),
            };
            if (r.TryGetProperty("raw", out var raw))
            {
                reading.Raw = raw.GetDouble();
                reading.HasRaw = true;
            }

            Assert.True(reading.Quantity >= 0, "unknown quantity in vector");
            return reading;
        }).ToArray();
        return (header, readings);
    }
}
