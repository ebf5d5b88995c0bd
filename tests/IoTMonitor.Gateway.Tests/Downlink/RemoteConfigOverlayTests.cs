using System.Text;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Gateway.Downlink;

namespace IoTMonitor.Gateway.Tests.Downlink;

/// <summary>
/// The gateway's checks of a remote config against the firmware's own parser: what the gateway
/// accepts, the node's ConfigParser.ParseRemote accepts too, and the ranges are the same at both ends.
/// </summary>
public sealed class RemoteConfigOverlayTests
{
    private static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static ConfigError NodeVerdict(byte[] message)
    {
        var config = new DeviceConfig();
        return new ConfigParser().ParseRemote(message, 0, message.Length, config, out _);
    }

    [Theory]
    [InlineData("""{"sampleSec":10}""")]
    [InlineData("""{"sampleSec":86400,"uploadSec":604800,"batchMax":200,"maxAwakeSec":600}""")]
    [InlineData("""{"uploadSec":10,"batchMax":1,"maxAwakeSec":5}""")]
    [InlineData("""{"thresholds":[{"q":"water.level","above":3.5},{"q":"water.ph","below":5,"above":9.5}]}""")]
    [InlineData("""{"thresholds":[]}""")]
    [InlineData("{}")]
    public void What_the_gateway_accepts_the_node_accepts(string overlay)
    {
        var normalized = RemoteConfigOverlay.Normalize(Obj(overlay), out var error);
        Assert.True(normalized is not null, error);
        var message = RemoteConfigOverlay.Message(12, normalized!);
        Assert.Equal(ConfigError.None, NodeVerdict(message));
        Assert.StartsWith("""{"v":1,"rev":12""", Encoding.UTF8.GetString(message), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"sampleSec":9}""", "sampleSec", ConfigError.BadValue)]
    [InlineData("""{"sampleSec":86401}""", "sampleSec", ConfigError.BadValue)]
    [InlineData("""{"uploadSec":604801}""", "uploadSec", ConfigError.BadValue)]
    [InlineData("""{"batchMax":201}""", "batchMax", ConfigError.BadValue)]
    [InlineData("""{"maxAwakeSec":4}""", "maxAwakeSec", ConfigError.BadValue)]
    [InlineData("""{"thresholds":[{"q":"water.nitrate","above":1}]}""", "thresholds[0].q", ConfigError.UnknownQuantity)]
    [InlineData("""{"thresholds":[{"q":"water.ph"}]}""", "thresholds[0]", ConfigError.MissingField)]
    public void What_the_node_refuses_the_gateway_refuses_naming_the_key(string overlay, string key, ConfigError nodeError)
    {
        Assert.Null(RemoteConfigOverlay.Normalize(Obj(overlay), out var error));
        Assert.Contains(key, error, StringComparison.Ordinal);

        // the same document sent anyway: the firmware refuses it with the code the table names
        var raw = Obj(overlay);
        raw["v"] = 1;
        raw["rev"] = 1;
        Assert.Equal(nodeError, NodeVerdict(Encoding.UTF8.GetBytes(raw.ToJsonString())));
    }

    [Fact]
    public void Seventeen_thresholds_are_too_many_at_both_ends()
    {
        var many = new JsonArray([.. Enumerable.Range(0, 17).Select(_ => (JsonNode)new JsonObject { ["q"] = "water.level", ["above"] = 3.5 })]);
        Assert.Null(RemoteConfigOverlay.Normalize(new JsonObject { ["thresholds"] = many.DeepClone() }, out var error));
        Assert.Contains("16", error, StringComparison.Ordinal);
        var raw = new JsonObject { ["v"] = 1, ["rev"] = 1, ["thresholds"] = many };
        Assert.Equal(ConfigError.TooMany, NodeVerdict(Encoding.UTF8.GetBytes(raw.ToJsonString())));
    }

    [Fact]
    public void Every_key_at_its_maximum_fits_the_nodes_limit_and_a_larger_message_is_refused_for_size()
    {
        // 16 thresholds and 16 records of 8 points (docs/config.md "Size"), numbers as a technician's tool writes them
        static JsonObject Overlay(Func<int, double> number) => new()
        {
            ["sampleSec"] = 900,
            ["uploadSec"] = 3600,
            ["calMaxAgeDays"] = 45,
            ["thresholds"] = new JsonArray([.. Enumerable.Range(0, 16).Select(i => (JsonNode)new JsonObject { ["q"] = "water.turbidity", ["above"] = 1000 * number(i), ["below"] = number(i + 1) })]),
            ["calibrations"] = new JsonArray([.. Enumerable.Range(0, 16).Select(i => (JsonNode)new JsonObject
            {
                ["sensor"] = $"s{i:D2}-" + new string('x', 28),
                ["id"] = $"cal-20261129-{i:D2}-" + new string('y', 16),
                ["kind"] = "linear",
                ["points"] = new JsonArray([.. Enumerable.Range(0, 8).Select(p => (JsonNode)new JsonArray(number(p), 1000 * number(p + 8)))]),
                ["tempC"] = 21.5,
                ["at"] = 1795132800,
            })]),
        };

        var fits = RemoteConfigOverlay.Normalize(Overlay(p => 0.1 + (0.3 * p)), out var error);
        Assert.True(fits is not null, error);
        Assert.True(RemoteConfigOverlay.Message(int.MaxValue, fits!).Length <= RemoteConfigOverlay.MaxMessageBytes);

        // numbers written with every digit a double has push the same content past 8192 bytes: the
        // node would refuse it whole (TooLarge), so the gateway refuses it first
        Assert.Null(RemoteConfigOverlay.Normalize(Overlay(p => (1.0 / 3.0) + (Math.PI * p / 7)), out error));
        Assert.Contains("8192-byte", error, StringComparison.Ordinal);
    }

    private const string WaterNode = """
        {"v":1,"device":"wq-0001","site":"wei-xianyang","type":"water","wifi":{"ssid":"ap","password":"pw"},"mqtt":{"host":"gw"},
         "sensors":[{"id":"ph","kind":"analog","quantity":"water.ph","pin":36},{"id":"bat","kind":"battery","quantity":"device.battery","pin":35},
                    {"id":"temp","kind":"ds18b20","quantity":"water.temp","pin":4}]}
        """;

    private static ConfigError WaterNodeVerdict(byte[] message)
    {
        var parser = new ConfigParser();
        var config = new DeviceConfig();
        var doc = Encoding.UTF8.GetBytes(WaterNode);
        Assert.Equal(ConfigError.None, parser.ParseDevice(doc, 0, doc.Length, config));
        return parser.ParseRemote(message, 0, message.Length, config, out _);
    }

    [Theory]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"cal-20261129-ph","kind":"ph","points":[[1.5213,7.0],[2.0274,4.01]],"tempC":21.5,"at":1795132800}]}""")]
    [InlineData("""{"calMaxAgeDays":45,"calibrations":[{"sensor":"ph","id":"c1","kind":"ph","points":[[1.5,7],[2.03,4],[0.97,10]]},{"sensor":"bat","id":"c2","kind":"linear","points":[[1.8102,3.62],[2.0493,4.1]]}]}""")]
    [InlineData("""{"calibrations":[]}""")]
    public void Calibration_records_the_gateway_accepts_a_node_with_those_sensors_accepts(string overlay)
    {
        var normalized = RemoteConfigOverlay.Normalize(Obj(overlay), out var error);
        Assert.True(normalized is not null, error);
        Assert.Equal(ConfigError.None, WaterNodeVerdict(RemoteConfigOverlay.Message(7, normalized!)));
    }

    [Theory]
    [InlineData("""{"calibrations":[{"id":"c1","kind":"ph","points":[[1.5,7],[2.03,4]]}]}""", "calibrations[0].sensor", ConfigError.MissingField)]
    [InlineData("""{"calibrations":[{"sensor":"ph","kind":"ph","points":[[1.5,7],[2.03,4]]}]}""", "calibrations[0].id", ConfigError.MissingField)]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"c1","kind":"nernst","points":[[1.5,7],[2.03,4]]}]}""", "calibrations[0].kind", ConfigError.UnknownKind)]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"c1","kind":"ph","points":[[1.5,7]]}]}""", "calibrations[0].points", ConfigError.BadCalibration)]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"c1","kind":"ph","points":[[1.5,7],[1.5,4]]}]}""", "twice", ConfigError.BadCalibration)]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"c1","kind":"ph","points":[[1.5,7],[2.03,4]],"tempC":60}]}""", "calibrations[0].tempC", ConfigError.BadValue)]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"c1","kind":"ph","points":[[1.5,7],[2.03,4]]},{"sensor":"ph","id":"c2","kind":"ph","points":[[1.5,7],[2.03,4]]}]}""", "second time", ConfigError.BadValue)]
    [InlineData("""{"calMaxAgeDays":3651}""", "calMaxAgeDays", ConfigError.BadValue)]
    public void Calibration_records_the_node_refuses_the_gateway_refuses_naming_the_entry(string overlay, string mention, ConfigError nodeError)
    {
        Assert.Null(RemoteConfigOverlay.Normalize(Obj(overlay), out var error));
        Assert.Contains(mention, error, StringComparison.Ordinal);
        var raw = Obj(overlay);
        raw["v"] = 1;
        raw["rev"] = 1;
        Assert.Equal(nodeError, WaterNodeVerdict(Encoding.UTF8.GetBytes(raw.ToJsonString())));
    }

    [Fact]
    public void Only_the_node_knows_its_sensors_and_which_record_its_probe_takes()
    {
        // shape-valid records the gateway passes on; the node answers with the code an operator then sees
        foreach (var (overlay, nodeError) in new[]
        {
            ("""{"calibrations":[{"sensor":"orp","id":"c1","kind":"linear","points":[[0.5,200]]}]}""", ConfigError.UnknownSensor),
            ("""{"calibrations":[{"sensor":"temp","id":"c1","kind":"linear","points":[[0.5,20]]}]}""", ConfigError.BadCalibration),
            ("""{"calibrations":[{"sensor":"ph","id":"c1","kind":"ec","points":[[1.2,1413]]}]}""", ConfigError.BadCalibration),
        })
        {
            var normalized = RemoteConfigOverlay.Normalize(Obj(overlay), out var error);
            Assert.True(normalized is not null, error);
            Assert.Equal(nodeError, WaterNodeVerdict(RemoteConfigOverlay.Message(3, normalized!)));
        }
    }

    [Fact]
    public void Keys_are_written_in_one_order_whatever_the_request_order()
    {
        var a = RemoteConfigOverlay.Normalize(Obj("""{"thresholds":[{"below":2,"q":"water.do"}],"uploadSec":600,"sampleSec":300}"""), out _)!;
        Assert.Equal("""{"sampleSec":300,"uploadSec":600,"thresholds":[{"q":"water.do","below":2}]}""", a.ToJsonString());
    }

    [Theory]
    [InlineData("""{"rev":3}""", "rev")]
    [InlineData("""{"v":1}""", "'v'")]
    [InlineData("""{"device":"x"}""", "not a remote config key")]
    [InlineData("""{"sampleSec":"900"}""", "integer")]
    [InlineData("""{"sampleSec":900.5}""", "integer")]
    [InlineData("""{"thresholds":{"q":"water.ph"}}""", "array")]
    [InlineData("""{"thresholds":[{"q":"water.ph","above":"high"}]}""", "number")]
    [InlineData("""{"thresholds":[{"q":"water.ph","above":1,"hysteresis":0.1}]}""", "hysteresis")]
    public void Malformed_overlays_are_refused_with_a_reason(string overlay, string mention)
    {
        Assert.Null(RemoteConfigOverlay.Normalize(Obj(overlay), out var error));
        Assert.Contains(mention, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_patch_replaces_sets_and_removes()
    {
        var merged = RemoteConfigOverlay.Merge(
            Obj("""{"sampleSec":300,"uploadSec":600,"thresholds":[{"q":"water.ph","below":5}]}"""),
            Obj("""{"uploadSec":null,"batchMax":20,"thresholds":[{"q":"water.level","above":3}]}"""));
        Assert.Equal("""{"sampleSec":300,"thresholds":[{"q":"water.level","above":3}],"batchMax":20}""", merged.ToJsonString());
    }
}
