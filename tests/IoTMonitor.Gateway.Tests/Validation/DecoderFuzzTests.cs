using System.Buffers;
using System.Text;
using CsCheck;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Tests.Validation;

public sealed class DecoderFuzzTests
{
    private static readonly byte[][] Seeds = Vectors.DecodeCases().Select(v => Encoding.UTF8.GetBytes(v.GetProperty("payload").GetString()!)).ToArray();

    private static readonly string[] Tokens = ["null", "NaN", "-Infinity", "1e999", "-1", "0", "1.5", "\"x\"", "[]", "{}", "[[", "]]", "\"water.ph\"", "true", "\\u0000", "\uFFFF", "9223372036854775808", ",", ":", "\""];

    /// <summary>A vector payload with a few random edits: byte flips, cuts, insertions of JSON-ish tokens, duplicated spans.</summary>
    private static readonly Gen<byte[]> Mutated =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[1, 4], Gen.Int.Array[12], (seed, edits, rnd) =>
        {
            var bytes = new List<byte>(Seeds[seed]);
            for (var e = 0; e < edits && bytes.Count > 0; e++)
            {
                var at = (rnd[(e * 3) % 12] & 0x7FFFFFFF) % bytes.Count;
                switch ((rnd[((e * 3) + 1) % 12] & 0x7FFFFFFF) % 5)
                {
                    case 0:
                        bytes[at] = (byte)rnd[((e * 3) + 2) % 12];
                        break;
                    case 1:
                        bytes.RemoveRange(at, bytes.Count - at);
                        break;
                    case 2:
                        bytes.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[(rnd[((e * 3) + 2) % 12] & 0x7FFFFFFF) % Tokens.Length]));
                        break;
                    case 3:
                        var len = Math.Min(bytes.Count - at, (rnd[((e * 3) + 2) % 12] & 0x7FFFFFFF) % 64);
                        bytes.InsertRange(at, bytes.GetRange(at, len));
                        break;
                    default:
                        bytes.RemoveAt(at);
                        break;
                }
            }

            return bytes.ToArray();
        });

    private static readonly Gen<byte[]> Random = Gen.Byte.Array[0, 600];

    private static readonly string[] TopicChoices = ["iotmon/v1/s1/d1/telemetry", "iotmon/v1/s1/d1/telemetry", "iotmon/v1/s1/d1/telemetry", "iotmon/v1/S1/d1/telemetry", "iotmon/v1//telemetry", "iotmon/v1/a/b/c/telemetry", "x", string.Empty];

    private static readonly Gen<string> Topics = Gen.Int[0, TopicChoices.Length - 1].Select(i => TopicChoices[i]);

    [Fact]
    public void Never_throws_for_100000_generated_and_mutated_payloads()
    {
        var decoder = new TelemetryDecoder();
        var result = new DecodeResult();
        var output = new ArrayBufferWriter<byte>();
        long valid = 0, invalid = 0;
        Gen.Select(Gen.Frequency((4, Mutated), (1, Random)), Topics, (p, t) => (p, t)).Sample((payload, topic) =>
        {
            decoder.Decode(topic, payload, 1_764_330_000, result);
            if (result.IsValid)
            {
                Interlocked.Increment(ref valid);
                output.ResetWrittenCount();
                var lines = LineProtocol.AppendBatch(result, output);
                var text = Encoding.UTF8.GetString(output.WrittenSpan);
                // one line per stored reading plus health, never an extra line
                Assert.Equal(result.Readings.Count + 1, lines);
                Assert.Equal(lines, text.Count(c => c == '\n'));
            }
            else
            {
                Interlocked.Increment(ref invalid);
            }
        }, iter: 100_000, threads: 1);

        Assert.True(valid > 500 && invalid > 1000, $"the generator should reach both outcomes: {valid} valid, {invalid} invalid");
    }
}
