using System.Buffers;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Tests.Validation;

public sealed class TelemetryDecoderTests
{
    // Receive time used for every vector: after every vector's clk, so nothing is in the future.
    private const long Now = 1_764_330_000;

    public static TheoryData<string> DecodeVectors()
    {
        var data = new TheoryData<string>();
        foreach (var v in Vectors.DecodeCases())
        {
            data.Add(v.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Every_vector_file_is_loaded()
    {
        Assert.True(Vectors.DecodeCases().Count() >= 35, "expected the 35 golden vectors");
    }

    [Theory]
    [MemberData(nameof(DecodeVectors))]
    public void Decodes_the_golden_vector(string name)
    {
        var vector = Vectors.Load(name);
        var result = new DecodeResult();
        new TelemetryDecoder().Decode(vector.GetProperty("topic").GetString()!, Encoding.UTF8.GetBytes(vector.GetProperty("payload").GetString()!), Now, result);

        var valid = vector.GetProperty("valid").GetBoolean();
        Assert.Equal(valid, result.IsValid);
        if (!valid)
        {
            Assert.Equal(vector.GetProperty("error").GetString(), result.Error);
            if (vector.TryGetProperty("detail", out var detail))
            {
                Assert.Equal(detail.GetString(), result.ErrorDetail);
            }

            return;
        }

        if (vector.TryGetProperty("error", out var error))
        {
            var rejected = vector.GetProperty("rejected").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(rejected, result.Rejected.Select(r => r.Index).Order().ToArray());
            Assert.All(result.Rejected, r => Assert.Equal(error.GetString(), r.Reason));
            Assert.Equal(vector.GetProperty("stored").GetInt32(), result.Readings.Count);
        }
        else
        {
            Assert.Empty(result.Rejected);
        }

        if (vector.TryGetProperty("decoded", out var decoded))
        {
            var expected = decoded.EnumerateArray().ToArray();
            Assert.Equal(expected.Length, result.Readings.Count);
            for (var i = 0; i < expected.Length; i++)
            {
                var e = expected[i];
                var r = result.Readings[i];
                Assert.Equal(e.GetProperty("n").GetInt64(), r.N);
                Assert.Equal(e.GetProperty("t").GetInt64(), r.T);
                Assert.Equal(e.GetProperty("quantity").GetString(), r.Quantity.Code);
                Assert.Equal(e.GetProperty("flags").GetInt64(), r.Flags);
                var value = e.GetProperty("value");
                Assert.Equal(value.ValueKind == JsonValueKind.Null ? null : value.GetDouble(), r.Value);
                Assert.Equal(e.TryGetProperty("raw", out var raw) ? raw.GetDouble() : null, r.Raw);
            }
        }

        var buffer = new ArrayBufferWriter<byte>();
        var count = LineProtocol.AppendBatch(result, buffer);
        var lines = Encoding.UTF8.GetString(buffer.WrittenSpan).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expectedLines = vector.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!).ToArray();
        Assert.Equal(expectedLines, lines);
        Assert.Equal(expectedLines.Length, count);
    }

    [Fact]
    public void Rebases_a_batch_whose_clock_is_unsynced_and_flags_it()
    {
        var payload = "{\"v\":1,\"fw\":\"1.0.0\",\"boot\":2,\"clk\":500,\"h\":{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":1},\"r\":[[1,380,\"water.ph\",7.1,0]]}"u8.ToArray();
        var result = new DecodeResult();
        new TelemetryDecoder().Decode("iotmon/v1/s1/d1/telemetry", payload, Now, result);

        Assert.True(result.IsValid);
        Assert.Equal(Now - 120, result.Readings[0].T);
        Assert.Equal(32, result.Readings[0].Flags);
        Assert.Equal(Now, result.HealthTime);
    }

    [Fact]
    public void Refuses_a_reading_further_in_the_future_than_the_skew()
    {
        var payload = Encoding.UTF8.GetBytes($"{{\"v\":1,\"fw\":\"1\",\"boot\":2,\"clk\":{Now},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":1}},\"r\":[[1,{Now + 301},\"water.ph\",7.1,0],[2,{Now + 300},\"water.ph\",7.1,0]]}}");
        var result = new DecodeResult();
        new TelemetryDecoder(allowedSkewSeconds: 300).Decode("iotmon/v1/s1/d1/telemetry", payload, Now, result);

        Assert.Equal([new RejectedReading(0, DecodeError.FutureTime)], result.Rejected);
        Assert.Single(result.Readings);
    }
}
