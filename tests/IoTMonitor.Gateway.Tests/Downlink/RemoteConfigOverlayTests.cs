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
    public void Sixteen_short_thresholds_fit_in_the_nodes_inbox_and_long_ones_are_refused_for_size()
    {
        static JsonObject Overlay(double above, double below) => new()
        {
            ["sampleSec"] = 900,
            ["thresholds"] = new JsonArray([.. Enumerable.Range(0, 16).Select(_ => (JsonNode)new JsonObject { ["q"] = "water.turbidity", ["above"] = above, ["below"] = below })]),
        };

        var fits = RemoteConfigOverlay.Normalize(Overlay(3.5, 1), out var error);
        Assert.True(fits is not null, error);
        var message = RemoteConfigOverlay.Message(int.MaxValue, fits!);
        Assert.True(message.Length <= RemoteConfigOverlay.MaxMessageBytes);
        Assert.Equal(ConfigError.None, NodeVerdict(message));

        // the node's inbox holds 1024 bytes; a larger message would never be answered
        Assert.Null(RemoteConfigOverlay.Normalize(Overlay(-123.456789, 98765.4321), out error));
        Assert.Contains("1024-byte", error, StringComparison.Ordinal);
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
