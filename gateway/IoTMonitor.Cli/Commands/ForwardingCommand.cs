using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace IoTMonitor.Cli.Commands;

/// <summary><c>iotmon forwarding</c>: per agency platform what was sent, answered, pending and refused (GET /api/v1/forwarding/hj212 and /sl651).</summary>
public static class ForwardingCommand
{
    public static Command Create(CliContext cx)
    {
        var json = new Option<bool>("--json") { Description = "Print the API's JSON" };
        var cmd = new Command("forwarding", """
            Show the platforms the gateway forwards to — HJ 212-2017 (environment) and SL 651-2014
            (hydrology, flash flood): connection, packets pending in the outbox, sent, answered (HJ 212
            CN 9014, SL 651 confirmation), resent, platform requests and refusals (docs/forwarding.md).
            --json prints one list of both, each platform with its "protocol".

            Example:
              iotmon forwarding --api-key-file .local/operator.key
            """)
        {
            json,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            using var gw = cx.Gateway(parse);
            var protocols = new (string Key, string Title, string Config)[] { ("hj212", "HJ 212", "Forwarding:Hj212:Platforms"), ("sl651", "SL 651", "Forwarding:Sl651:Platforms") };
            var all = new List<(string Protocol, JsonElement Platform)>();
            foreach (var (key, _, _) in protocols)
            {
                var body = await gw.GetJsonAsync("/api/v1/forwarding/" + key, ct);
                all.AddRange(body.GetProperty("platforms").EnumerateArray().Select(p => (key, p.Clone())));
            }

            if (parse.GetValue(json))
            {
                var merged = all.Select(x =>
                {
                    var o = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(x.Platform.GetRawText())!;
                    o["protocol"] = JsonSerializer.SerializeToElement(x.Protocol);
                    return o;
                }).ToList();
                await cx.Out.WriteLineAsync(JsonSerializer.Serialize(new { platforms = merged }, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }

            foreach (var (key, title, config) in protocols)
            {
                var rows = all.Where(x => x.Protocol == key).Select(x => x.Platform).ToList();
                if (rows.Count == 0)
                {
                    await cx.Out.WriteLineAsync($"no {title} platform configured ({config})");
                    continue;
                }

                var table = new Table().Title($"{title}: {rows.Count} platform(s)");
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
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }
}
