using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CsCheck;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Tests.Node;
using IoTMonitor.Firmware.Core.Text;
using Xunit.Abstractions;

namespace IoTMonitor.Firmware.Core.Tests.Config;

/// <summary>
/// Robustness of the JSON reader and the config / command parsers on generated and mutated input
/// (over 100,000 cases in all). They must never throw, must end every case quickly (no loops), and
/// the reader must agree with System.Text.Json about what is valid JSON.
/// </summary>
public class ParserFuzzTests(ITestOutputHelper output)
{
    // The bound catches a parser that loops (it would never return), not a slow one: a case takes
    // microseconds, and the margin absorbs GC pauses and scheduling on a loaded 2-core CI machine.
    private const int CaseBudgetMs = 2000;

    private static readonly string[] Seeds =
    [
        NodeHarness.Config,
        """{"v":1,"rev":12,"sampleSec":900,"uploadSec":3600,"thresholds":[{"q":"water.level","above":3.5}]}""",
        """{"v":1,"rev":13,"calMaxAgeDays":45,"calibrations":[{"sensor":"ph","id":"cal-2","kind":"ph","points":[[1.4,7.0],[1.9,4.01]],"tempC":21.5,"at":1764288000}]}""",
        """{"v":1,"id":"c-42","cmd":"set_interval","sec":300}""",
        """{"v":1,"id":"c-43","cmd":"clear_queue","confirm":true}""",
        """[1,-2.5e3,"\u00e9\n",true,false,null,{"a":[]}]""",
    ];

    private static byte[] Mutate(Random rnd, byte[] seed)
    {
        var b = new List<byte>(seed);
        int edits = rnd.Next(1, 6);
        const string alphabet = "{}[]\",:0123456789-+.eE tfnul\\/";
        for (int i = 0; i < edits; i++)
        {
            int pos = b.Count == 0 ? 0 : rnd.Next(b.Count);
            switch (rnd.Next(5))
            {
                case 0 when b.Count > 0: b.RemoveAt(pos); break;
                case 1: b.Insert(pos, (byte)alphabet[rnd.Next(alphabet.Length)]); break;
                case 2 when b.Count > 0: b[pos] = (byte)rnd.Next(256); break;
                case 3 when b.Count > 0: b.RemoveRange(pos, b.Count - pos); break; // truncate
                default:
                    if (b.Count > 0)
                    {
                        int len = Math.Min(rnd.Next(1, 20), b.Count - pos);
                        b.InsertRange(rnd.Next(b.Count), b.GetRange(pos, len)); // duplicate a span
                    }

                    break;
            }
        }

        return [.. b];
    }

    private static bool StjValid(byte[] data)
    {
        try
        {
            using var _ = JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = JsonReader.MaxDepth });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Utf8Valid(byte[] data)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetString(data);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool HugeNumber(byte[] data)
    {
        using var doc = JsonDocument.Parse(data);
        return HasHuge(doc.RootElement);

        static bool HasHuge(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Number => !e.TryGetDouble(out var d) || double.IsInfinity(d),
            JsonValueKind.Array => e.EnumerateArray().Any(HasHuge),
            JsonValueKind.Object => e.EnumerateObject().Any(p => HasHuge(p.Value)),
            _ => false,
        };
    }

    private static bool ReaderValid(byte[] data)
    {
        var tokens = JsonReaderTests.Tokens(data);
        return tokens[^1] == JsonToken.End;
    }

    private static void Timed(Action a, byte[] input)
    {
        var sw = Stopwatch.StartNew();
        a();
        Assert.True(sw.ElapsedMilliseconds < CaseBudgetMs, "slow case: " + Convert.ToBase64String(input));
    }

    [Fact]
    public void Json_reader_on_mutated_documents_agrees_with_system_text_json()
    {
        var rnd = new Random(20261128);
        int cases = 0;
        int valid = 0;
        for (int i = 0; i < 60_000; i++)
        {
            var input = Mutate(rnd, Encoding.UTF8.GetBytes(Seeds[i % Seeds.Length]));
            bool ours = false;
            Timed(() => ours = ReaderValid(input), input);
            // Never accept what System.Text.Json rejects. The reverse is allowed only for the
            // documented strictness: invalid UTF-8 (STJ checks it lazily) and numbers beyond a double.
            bool stj = StjValid(input);
            if (ours != stj)
            {
                Assert.True(!ours && (!Utf8Valid(input) || HugeNumber(input)), "disagreement on " + Encoding.UTF8.GetString(input));
            }

            valid += ours ? 1 : 0;
            cases++;
        }

        output.WriteLine($"json reader: {cases} mutated cases, {valid} still valid");
    }

    [Fact]
    public void Json_reader_accepts_generated_valid_json_and_survives_random_bytes()
    {
        var genJson = Gen.Recursive<JsonElementish>((depth, self) => depth >= 8
            ? Gen.OneOf(Gen.Double[-1e12, 1e12].Select(d => (JsonElementish)d.ToString("R")), Gen.String.Select(s => (JsonElementish)JsonSerializer.Serialize(s)), Gen.Const((JsonElementish)"null"))
            : Gen.OneOf(
                Gen.Double.Where(double.IsFinite).Select(d => (JsonElementish)d.ToString("R")),
                Gen.String.Select(s => (JsonElementish)JsonSerializer.Serialize(s)),
                Gen.OneOf(Gen.Const((JsonElementish)"true"), Gen.Const((JsonElementish)"false"), Gen.Const((JsonElementish)"null")),
                self.Array[0, 4].Select(a => (JsonElementish)("[" + string.Join(",", a.Select(x => x.Text)) + "]")),
                Gen.Select(Gen.String[0, 8], self).Array[0, 4].Select(a => (JsonElementish)("{" + string.Join(",", a.Select(kv => JsonSerializer.Serialize(kv.Item1) + ":" + kv.Item2.Text)) + "}"))));
        genJson.Sample(j =>
        {
            var bytes = Encoding.UTF8.GetBytes(j.Text);
            return ReaderValid(bytes) == StjValid(bytes);
        }, iter: 20_000);

        Gen.Byte.Array[0, 80].Sample(b =>
        {
            Timed(() => ReaderValid(b), b);
            return true;
        }, iter: 20_000);
    }

    [Fact]
    public void Config_and_command_parsers_never_throw_and_return_documented_codes()
    {
        var rnd = new Random(42);
        var config = new ConfigParser();
        var command = new CommandParser();
        var cmd = new Command();
        var flashed = new DeviceConfig();
        var harness = Encoding.UTF8.GetBytes(NodeHarness.Config);
        Assert.Equal(ConfigError.None, config.ParseDevice(harness, 0, harness.Length, flashed));
        int cases = 0;
        for (int i = 0; i < 40_000; i++)
        {
            var input = Mutate(rnd, Encoding.UTF8.GetBytes(Seeds[i % 5]));
            Timed(() =>
            {
                var target = new DeviceConfig();
                var e1 = config.ParseDevice(input, 0, input.Length, target);
                var e2 = config.ParseRemote(input, 0, input.Length, flashed, target, out _);
                Assert.InRange((int)e1, 0, 9);
                Assert.InRange((int)e2, 0, 12); // remote adds UnknownSensor (11) and TooLarge (12)
                Assert.InRange(command.Parse(input, 0, input.Length, cmd), CommandError.None, CommandError.BadArgument);
            }, input);
            cases += 3;
        }

        Assert.Equal("cal-1", flashed.Sensors[1].Calibration.Id); // a remote parse never writes into its base
        output.WriteLine($"config/command parsers: {cases} parser runs on 40,000 mutated inputs");
    }

    /// <summary>A generated JSON text (a named type keeps the recursive generator readable).</summary>
    public sealed record JsonElementish(string Text)
    {
        public static implicit operator JsonElementish(string s) => new(s);
    }
}
