using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace IoTMonitor.Cli.Commands;

/// <summary><c>iotmon forwarding</c>: per agency platform what was sent, answered, pending and refused (GET /api/v1/forwarding/hj212).</summary>
public static class ForwardingCommand
{
    public static Command Create(CliContext cx)
    {
        var json = new Option<bool>("--json") { Description = "Print the API's JSON" };
        var cmd = new Command("forwarding", """
            Show the HJ 212-2017 platforms the gateway forwards to: connection, packets pending in the
            outbox, sent, answered (CN 9014), resent, platform requests and refusals (docs/forwarding.md).

            Example:
              iotmon forwarding --api-key-file .local/operator.key
            """)
        {
            json,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            using var gw = cx.Gateway(parse);
            var body = await gw.GetJsonAsync("/api/v1/forwarding/hj212", ct);
            if (parse.GetValue(json))
            {
                await cx.Out.WriteLineAsync(JsonSerializer.Serialize(body, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }

            var rows = body.GetProperty("platforms").EnumerateArray().ToList();
            if (rows.Count == 0)
            {
                await cx.Out.WriteLineAsync("no HJ 212 platform configured (Forwarding:Hj212:Platforms)");
                return ExitCodes.Ok;
            }

            var table = new Table().Title($"{rows.Count} platform(s)");
            foreach (var c in new[] { "platform", "address", "connected", "pending", "sent", "answered", "resent", "requests", "refused", "invalid", "last error" })
            {
                table.AddColumn(c);
            }

            foreach (var p in rows)
            {
                string N(string name) => p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64().ToString(CultureInfo.InvariantCulture) : string.Empty;
                table.AddRow(
                    Markup.Escape(DevicesCommand.Str(p, "name")),
                    Markup.Escape(DevicesCommand.Str(p, "host") + ":" + N("port")),
                    p.TryGetProperty("connected", out var c) && c.ValueKind == JsonValueKind.True ? "yes" : "no",
                    N("pending"),
                    N("sent"),
                    N("answered"),
                    N("resent"),
                    N("requests"),
                    N("refused"),
                    N("invalidFrames"),
                    Markup.Escape(DevicesCommand.Str(p, "lastError")));
            }

            cx.Console.Write(table);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
