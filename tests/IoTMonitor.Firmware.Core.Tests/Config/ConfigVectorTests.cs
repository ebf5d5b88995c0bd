using System.Text;
using System.Text.Json;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;

namespace IoTMonitor.Firmware.Core.Tests.Config;

/// <summary>
/// The node side of every remote config vector (tests/vectors/config, README there): on top of the
/// flashed <c>device</c> document, after the <c>previous</c> overlays, the <c>payload</c> is answered
/// with <c>ack</c> and leaves <c>inForce</c> — applied the way NodeCycle applies it (flashed config
/// as the base of every overlay).
/// </summary>
public class ConfigVectorTests
{
    private static string Folder => RepoPaths.Combine("tests", "vectors", "config");

    private static IEnumerable<string> Files() =>
        Directory.GetFiles(Folder, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static TheoryData<string> Vectors() => new(Files());

    [Fact]
    public void There_are_accepted_and_refused_vectors()
    {
        var acks = Files().Select(v => Load(v).GetProperty("ack").GetString()!).ToList();
        Assert.Contains(acks, a => a.Contains("\"ok\":true"));
        Assert.Contains(acks, a => a.Contains("\"ok\":false"));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_node_answers_and_applies_the_vector(string name)
    {
        var v = Load(name);
        Assert.Equal(Path.GetFileNameWithoutExtension(name), v.GetProperty("name").GetString());
        Assert.Contains("apply", v.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.EndsWith("/config", v.GetProperty("topic").GetString());
        var parser = new ConfigParser();
        var flashed = new DeviceConfig();
        var device = Encoding.UTF8.GetBytes(v.GetProperty("device").GetRawText());
        Assert.Equal(ConfigError.None, parser.ParseDevice(device, 0, device.Length, flashed));
        var live = new DeviceConfig();
        live.CopyFrom(flashed);
        foreach (var previous in v.GetProperty("previous").EnumerateArray())
        {
            var p = Encoding.UTF8.GetBytes(previous.GetString()!);
            Assert.Equal(ConfigError.None, parser.ParseRemote(p, 0, p.Length, flashed, live, out _));
        }

        var payload = Encoding.UTF8.GetBytes(v.GetProperty("payload").GetString()!);
        var e = parser.ParseRemote(payload, 0, payload.Length, flashed, live, out int rev);
        var ack = new byte[256];
        int n = new MessageEncoder().ConfigAck(rev < 0 ? 0 : rev, (int)e, ack);

        Assert.Equal(v.GetProperty("ack").GetString(), Encoding.UTF8.GetString(ack, 0, n));
        Assert.Equal(InForce(v.GetProperty("inForce")), Describe(live));
    }

    private static JsonElement Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, name)));
        return doc.RootElement.Clone();
    }

    private static string InForce(JsonElement e)
    {
        var records = e.GetProperty("calibrations").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString() ?? "-"}");
        var thresholds = e.GetProperty("thresholds").EnumerateArray().Select(t => t.GetString());
        return $"{e.GetProperty("sampleSec").GetInt32()} {e.GetProperty("uploadSec").GetInt32()} {e.GetProperty("batchMax").GetInt32()} "
            + $"{e.GetProperty("maxAwakeSec").GetInt32()} {e.GetProperty("calMaxAgeDays").GetInt32()} "
            + $"[{string.Join(", ", thresholds)}] [{string.Join(", ", records)}]";
    }

    private static string Describe(DeviceConfig c)
    {
        var records = c.Sensors.Select(s => $"{s.Id}={s.Calibration?.Id ?? "-"}");
        var thresholds = c.Thresholds.Select(t =>
            Quantities.Code(t.Quantity) + (t.HasBelow ? $" below {t.Below}" : "") + (t.HasAbove ? $" above {t.Above}" : ""));
        return $"{c.SampleSec} {c.UploadSec} {c.BatchMax} {c.MaxAwakeSec} {c.CalMaxAgeDays} "
            + $"[{string.Join(", ", thresholds)}] [{string.Join(", ", records)}]";
    }
}
