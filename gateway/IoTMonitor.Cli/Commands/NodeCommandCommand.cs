using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace IoTMonitor.Cli.Commands;

/// <summary>
/// <c>iotmon command</c>: sends a command to a node (POST /api/v1/devices/{device}/commands) or,
/// without one, lists the device's recent commands.
/// </summary>
public static class NodeCommandCommand
{
    public static readonly string[] Names = ["sample_now", "upload_now", "reboot", "clear_queue", "set_interval", "time_sync"];

    public static Command Create(CliContext cx)
    {
        var device = new Option<string>("--device") { Description = "Device id", Required = true };
        var name = new Argument<string?>("cmd") { Description = "sample_now, upload_now, reboot, clear_queue, set_interval or time_sync (none: list recent commands)", Arity = ArgumentArity.ZeroOrOne };
        name.AcceptOnlyFromAmong(Names);
        var sec = new Option<int?>("--sec") { Description = "set_interval: the new sampling interval, s (10–86400)" };
        var confirm = new Option<bool>("--confirm") { Description = "clear_queue: yes, delete the readings the node has not uploaded" };
        var wait = new Option<string?>("--wait") { Description = "Wait this long (e.g. 20m) for the node's answer; exit 1 if it fails or does not answer" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON" };
        var cmd = new Command("command", """
            Send a command to a node. It is kept by the broker while the node sleeps and runs the next time the
            node connects to upload; the node answers ok or an error. Without a command: the device's recent
            commands, newest first.

            Examples:
              iotmon command --device wq-0001 sample_now --wait 20m
              iotmon command --device wq-0001 set_interval --sec 300
              iotmon command --device wq-0001 clear_queue --confirm
              iotmon command --device wq-0001
            """)
        {
            device, name, sec, confirm, wait, json,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            var waitFor = AckWait.Parse(parse.GetValue(wait));
            var id = parse.GetValue(device)!;
            var basePath = $"/api/v1/devices/{Uri.EscapeDataString(id)}/commands";
            using var gw = cx.Gateway(parse);
            if (parse.GetValue(name) is not { } command)
            {
                var list = await gw.GetJsonAsync(basePath + "?limit=20", ct);
                if (parse.GetValue(json))
                {
                    await cx.Out.WriteLineAsync(JsonSerializer.Serialize(list, new JsonSerializerOptions { WriteIndented = true }));
                    return ExitCodes.Ok;
                }

                await cx.Out.WriteLineAsync($"{list.GetArrayLength()} command(s) of {id}, newest first");
                foreach (var c in list.EnumerateArray())
                {
                    await cx.Out.WriteLineAsync("  " + Line(c));
                }

                return ExitCodes.Ok;
            }

            var body = new Dictionary<string, object> { ["cmd"] = command };
            if (parse.GetValue(sec) is { } s)
            {
                body["sec"] = s;
            }

            if (parse.GetValue(confirm))
            {
                body["confirm"] = true;
            }

            var doc = await gw.PostJsonAsync(basePath, body, ct);
            var commandId = doc.GetProperty("id").GetString()!;
            var final = true;
            if (waitFor is { } w)
            {
                if (!parse.GetValue(json))
                {
                    await cx.Out.WriteLineAsync($"{commandId} queued for {id}; waiting up to {Durations.Format(w)} for its answer (when it next connects to upload) …");
                }

                (doc, final) = await AckWait.PollAsync(gw, $"{basePath}/{Uri.EscapeDataString(commandId)}", w, d => AckWait.State(d) is not "queued", ct);
            }

            await cx.Out.WriteLineAsync(parse.GetValue(json) ? JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }) : Line(doc));
            if (waitFor is null)
            {
                return ExitCodes.Ok;
            }

            var state = AckWait.State(doc);
            if (!final)
            {
                await cx.Err.WriteLineAsync($"iotmon command: {id} did not answer {commandId} within {Durations.Format(waitFor.Value)}");
                return ExitCodes.Failed;
            }

            if (state != "acked")
            {
                await cx.Err.WriteLineAsync($"iotmon command: {commandId} {state}{(doc.TryGetProperty("errName", out var e) && e.ValueKind == JsonValueKind.String ? ": " + e.GetString() : string.Empty)}");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static string Line(JsonElement c)
    {
        var args = c.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object && a.EnumerateObject().Any() ? " " + a.GetRawText() : string.Empty;
        var err = c.TryGetProperty("errName", out var e) && e.ValueKind == JsonValueKind.String && c.GetProperty("state").GetString() != "acked" ? $" ({e.GetString()})" : string.Empty;
        var at = c.TryGetProperty("at", out var t) && t.ValueKind == JsonValueKind.String ? t.GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "?";
        return $"{c.GetProperty("id").GetString()}  {c.GetProperty("cmd").GetString()}{args}  {c.GetProperty("state").GetString()}{err}  by {c.GetProperty("by").GetString()} at {at} UTC";
    }
}
