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

    // a flashed water node: the remote config applies on top of it, as on the node
    private const string Flashed = """
        {"v":1,"device":"wq-1","site":"s-1","type":"water","wifi":{"ssid":"x"},"mqtt":{"host":"gw"},
         "sensors":[{"id":"ph","kind":"analog","quantity":"water.ph","pin":36},{"id":"ec","kind":"analog","quantity":"water.ec","pin":39},
         {"id":"level","kind":"analog","quantity":"water.level","pin":34},{"id":"bat","kind":"battery","quantity":"device.battery","pin":35}]}
        """;

    private static ConfigError NodeVerdict(byte[] message)
    {
        var parser = new ConfigParser();
        var flashed = new DeviceConfig();
        var doc = Encoding.UTF8.GetBytes(Flashed);
        Assert.Equal(ConfigError.None, parser.ParseDevice(doc, 0, doc.Length, flashed));
        return parser.ParseRemote(message, 0, message.Length, flashed, new DeviceConfig(), out _);
    }

    [Theory]
    [InlineData("""{"sampleSec":10}""")]
    [InlineData("""{"sampleSec":86400,"uploadSec":604800,"batchMax":200,"maxAwakeSec":600}""")]
    [InlineData("""{"uploadSec":10,"batchMax":1,"maxAwakeSec":5}""")]
    [InlineData("""{"thresholds":[{"q":"water.level","above":3.5},{"q":"water.ph","below":5,"above":9.5}]}""")]
    [InlineData("""{"thresholds":[]}""")]
    [InlineData("{}")]
    [InlineData("""{"calMaxAgeDays":45}""")]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"cal-20261128-ph","kind":"ph","points":[[1.5213,7.0],[2.0274,4.01]],"tempC":21.5,"at":1764288000},{"sensor":"bat","id":"cal-bat","kind":"linear","points":[[1.8102,3.62]]}]}""")]
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
    [InlineData("""{"calMaxAgeDays":3651}""", "calMaxAgeDays", ConfigError.BadValue)]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"c","kind":"ph","points":[[1.5,7]]}]}""", "calibrations[0].points", ConfigError.BadCalibration)]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"c","kind":"ph","points":[[1.5,7],[1.5,4]]}]}""", "calibrations[0].points", ConfigError.BadCalibration)]
    [InlineData("""{"calibrations":[{"sensor":"ph","id":"c","kind":"acid","points":[[1.5,7],[2,4]]}]}""", "calibrations[0].kind", ConfigError.UnknownKind)]
    [InlineData("""{"calibrations":[{"sensor":"ph","kind":"ph","points":[[1.5,7],[2,4]]}]}""", "calibrations[0]", ConfigError.MissingField)]
    [InlineData("""{"calibrations":[{"sensor":"ec","id":"c","kind":"ec","points":[[1,1413]],"tempCoeff":0.5}]}""", "calibrations[0].tempCoeff", ConfigError.BadValue)]
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
    public void A_sensor_the_node_lacks_passes_the_gateway_and_the_node_answers_UnknownSensor()
    {
        // the gateway does not know the node's sensor entries: only the node can refuse this (error 11)
        var overlay = RemoteConfigOverlay.Normalize(Obj("""{"calibrations":[{"sensor":"do","id":"cal-do","kind":"do","points":[[1.2,25]]}]}"""), out var error);
        Assert.True(overlay is not null, error);
        Assert.Equal(ConfigError.UnknownSensor, NodeVerdict(RemoteConfigOverlay.Message(3, overlay!)));
        Assert.Equal("UnknownSensor", AckCodes.ConfigError((int)ConfigError.UnknownSensor));
        Assert.Equal("TooLarge", AckCodes.ConfigError((int)ConfigError.TooLarge));
    }

    [Fact]
    public void Every_remote_key_at_its_maximum_fits_the_node_and_one_more_record_is_too_many()
    {
        static JsonObject Record(int i) => new()
        {
            ["sensor"] = "s" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + new string('x', 29),
            ["id"] = "cal-" + new string('r', 28),
            ["kind"] = "linear",
            ["points"] = new JsonArray([.. Enumerable.Range(0, 8).Select(p => (JsonNode)new JsonArray(1.123456 + p, -12345.123456 - p))]),
            ["tempCoeff"] = 0.0185,
            ["tempC"] = 21.5,
            ["at"] = 1764288000,
        };

        var full = new JsonObject
        {
            ["sampleSec"] = 86400,
            ["uploadSec"] = 604800,
            ["batchMax"] = 200,
            ["maxAwakeSec"] = 600,
            ["calMaxAgeDays"] = 3650,
            ["thresholds"] = new JsonArray([.. Enumerable.Range(0, 16).Select(_ => (JsonNode)new JsonObject { ["q"] = "water.turbidity", ["above"] = -123.456789, ["below"] = 98765.4321 })]),
            ["calibrations"] = new JsonArray([.. Enumerable.Range(0, 16).Select(i => (JsonNode)Record(i))]),
        };
        var normalized = RemoteConfigOverlay.Normalize(full, out var error);
        Assert.True(normalized is not null, error);
        Assert.True(RemoteConfigOverlay.Message(int.MaxValue, normalized!).Length <= RemoteConfigOverlay.MaxMessageBytes);

        ((JsonArray)full["calibrations"]!).Add(Record(16));
        Assert.Null(RemoteConfigOverlay.Normalize(full, out error));
        Assert.Contains("at most 16 records", error, StringComparison.Ordinal);
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
