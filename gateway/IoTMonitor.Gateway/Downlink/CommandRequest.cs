using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// A command as an operator asks for it (protocol §7): the command name and its argument, checked
/// against the firmware's rules (docs/config.md "Command ack codes") so that a command the node
/// would answer with err 1 or 3 is refused before it is sent.
/// </summary>
public sealed record CommandRequest(string Cmd, int? Sec, bool Confirm)
{
    public static IReadOnlyList<string> Names { get; } = ["sample_now", "upload_now", "reboot", "clear_queue", "set_interval", "time_sync"];

    /// <summary>Reads <c>{"cmd": …, "sec"?: …, "confirm"?: …}</c>; null with <paramref name="error"/> naming the key and its range.</summary>
    public static CommandRequest? Parse(JsonObject body, out string? error)
    {
        error = null;
        foreach (var (key, _) in body)
        {
            if (key is not ("cmd" or "sec" or "confirm"))
            {
                error = $"'{key}' is not a command key (allowed: cmd, sec, confirm)";
                return null;
            }
        }

        var cmd = body["cmd"] is JsonValue c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>() : null;
        if (cmd is null || !Names.Contains(cmd))
        {
            error = $"'cmd' must be one of {string.Join(", ", Names)} (got {body["cmd"]?.ToJsonString() ?? "nothing"})";
            return null;
        }

        int? sec = null;
        if (body["sec"] is { } s)
        {
            if (cmd != "set_interval")
            {
                error = "'sec' is only for set_interval";
                return null;
            }

            if (!JsonNumbers.TryInteger(s, out var n) || n is < 10 or > 86400)
            {
                error = $"'sec' must be an integer 10–86400 (got {s.ToJsonString()})";
                return null;
            }

            sec = (int)n;
        }

        var confirm = false;
        if (body["confirm"] is { } cf)
        {
            if (cf.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                error = "'confirm' must be true or false";
                return null;
            }

            confirm = cf.GetValue<bool>();
        }

        if (cmd == "set_interval" && sec is null)
        {
            error = "set_interval needs 'sec', an integer 10–86400";
            return null;
        }

        if (cmd == "clear_queue" && !confirm)
        {
            error = "clear_queue deletes the readings the node has not uploaded yet: send \"confirm\": true";
            return null;
        }

        return new CommandRequest(cmd, sec, confirm);
    }

    /// <summary>The arguments as stored and sent beside v, id and cmd.</summary>
    public JsonObject Arguments()
    {
        var args = new JsonObject();
        if (Sec is { } sec)
        {
            args["sec"] = sec;
        }

        if (Confirm)
        {
            args["confirm"] = true;
        }

        return args;
    }

    /// <summary>The <c>cmd</c> message: <c>{"v":1,"id":"c-42","cmd":…,…args}</c>.</summary>
    public static byte[] Message(string id, string cmd, JsonObject args)
    {
        var message = new JsonObject { ["v"] = 1, ["id"] = id, ["cmd"] = cmd };
        foreach (var (key, value) in args)
        {
            message[key] = value?.DeepClone();
        }

        return JsonSerializer.SerializeToUtf8Bytes(message);
    }
}
