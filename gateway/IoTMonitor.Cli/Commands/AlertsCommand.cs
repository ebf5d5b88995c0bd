using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace IoTMonitor.Cli.Commands;

/// <summary><c>iotmon alerts</c>: open alerts, newest first (GET /api/v1/alerts).</summary>
public static class AlertsCommand
{
    public static Command Create(CliContext cx)
    {
        var site = new Option<string?>("--site") { Description = "Only alerts of this site" };
        var all = new Option<bool>("--all") { Description = "Include cleared alerts" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON" };
        var cmd = new Command("alerts", """
            List the gateway's alerts, newest first (open ones only unless --all).

            Example:
              iotmon alerts --site dianchi-lake --all
            """)
        {
            site, all, json,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            using var gw = cx.Gateway(parse);
            var q = new List<string>();
            if (parse.GetValue(site) is { } s)
            {
                q.Add("site=" + Uri.EscapeDataString(s));
            }

            if (parse.GetValue(all))
            {
                q.Add("cleared=true");
            }

            var body = await gw.GetJsonAsync("/api/v1/alerts" + (q.Count > 0 ? "?" + string.Join('&', q) : string.Empty), ct);
            if (parse.GetValue(json))
            {
                await cx.Out.WriteLineAsync(JsonSerializer.Serialize(body, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }

            var rows = body.EnumerateArray().ToList();
            var table = new Table().Title($"{rows.Count} alert(s)");
            foreach (var c in new[] { "id", "raised (UTC)", "severity", "site", "device", "quantity", "message", "state" })
            {
                table.AddColumn(c);
            }

            foreach (var a in rows)
            {
                var state = a.TryGetProperty("cleared", out var cl) && cl.ValueKind == JsonValueKind.String ? "cleared"
                    : a.TryGetProperty("acknowledged", out var ack) && ack.ValueKind == JsonValueKind.String ? "acknowledged" : "open";
                table.AddRow(
                    a.TryGetProperty("id", out var id) ? id.ToString() : string.Empty,
                    a.TryGetProperty("raised", out var r) && r.ValueKind == JsonValueKind.String ? r.GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : string.Empty,
                    Markup.Escape(a.TryGetProperty("severity", out var sv) ? sv.ToString() : string.Empty),
                    Markup.Escape(DevicesCommand.Str(a, "site")),
                    Markup.Escape(DevicesCommand.Str(a, "device")),
                    Markup.Escape(DevicesCommand.Str(a, "quantity")),
                    Markup.Escape(DevicesCommand.Str(a, "message")),
                    state);
            }

            cx.Console.Write(table);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
