using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Gateway.Downlink;

namespace IoTMonitor.Gateway.Tests.Downlink;

/// <summary>Commands the gateway accepts are ones the firmware's CommandParser runs (err 0); the ones it would answer 1 or 3 are refused up front.</summary>
public sealed class CommandRequestTests
{
    private static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    [Theory]
    [InlineData("""{"cmd":"sample_now"}""")]
    [InlineData("""{"cmd":"upload_now"}""")]
    [InlineData("""{"cmd":"reboot"}""")]
    [InlineData("""{"cmd":"clear_queue","confirm":true}""")]
    [InlineData("""{"cmd":"set_interval","sec":10}""")]
    [InlineData("""{"cmd":"set_interval","sec":86400}""")]
    [InlineData("""{"cmd":"time_sync"}""")]
    public void Accepted_commands_parse_on_the_node(string body)
    {
        var request = CommandRequest.Parse(Obj(body), out var error);
        Assert.True(request is not null, error);
        var message = CommandRequest.Message("c-42", request!.Cmd, request.Arguments());
        var parsed = new Command();
        Assert.Equal(CommandError.None, new CommandParser().Parse(message, 0, message.Length, parsed));
        Assert.Equal("c-42", parsed.Id);
    }

    [Theory]
    [InlineData("""{"cmd":"clear_queue"}""", "confirm", CommandError.BadArgument)]
    [InlineData("""{"cmd":"clear_queue","confirm":false}""", "confirm", CommandError.BadArgument)]
    [InlineData("""{"cmd":"set_interval"}""", "10–86400", CommandError.BadArgument)]
    [InlineData("""{"cmd":"set_interval","sec":9}""", "10–86400", CommandError.BadArgument)]
    [InlineData("""{"cmd":"set_interval","sec":86401}""", "10–86400", CommandError.BadArgument)]
    [InlineData("""{"cmd":"format_flash"}""", "sample_now", CommandError.UnknownCommand)]
    public void Commands_the_node_would_refuse_are_refused_first(string body, string mention, int nodeError)
    {
        Assert.Null(CommandRequest.Parse(Obj(body), out var error));
        Assert.Contains(mention, error, StringComparison.Ordinal);

        var raw = Obj(body);
        raw["v"] = 1;
        raw["id"] = "c-1";
        var bytes = System.Text.Encoding.UTF8.GetBytes(raw.ToJsonString());
        Assert.Equal(nodeError, new CommandParser().Parse(bytes, 0, bytes.Length, new Command()));
    }

    [Theory]
    [InlineData("c-1", 1)]
    [InlineData("c-123456", 123456)]
    [InlineData("c-", -1)]
    [InlineData("c--5", -1)]
    [InlineData("x-5", -1)]
    [InlineData(null, -1)]
    public void Command_ids_map_to_row_numbers(string? id, long seq) => Assert.Equal(seq, CommandRecord.SeqOf(id));
}
