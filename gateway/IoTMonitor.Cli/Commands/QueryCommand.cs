using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace IoTMonitor.Cli.Commands;

/// <summary>
/// <c>iotmon query</c>: newest values (GET /api/v1/latest), or with <c>--window</c>/<c>--from</c> a
/// windowed series of one quantity (GET /api/v1/series).
/// </summary>
public static class QueryCommand
{
    public static Command Create(CliContext cx)
    {
        var site = new Option<string?>("--site") { Description = "Site id (series: a comma list)" };
        var device = new Option<string?>("--device") { Description = "Device id" };
        var quantity = new Option<string?>("--quantity") { Description = "Quantity code, e.g. water.ph (required for a series)" };
        var from = new Option<string?>("--from") { Description = "Series start: 24h (ago), ISO 8601 or Unix seconds (default: to − 24h)" };
        var to = new Option<string?>("--to") { Description = "Series end (default: now)" };
        var window = new Option<string?>("--window") { Description = "Series window, e.g. 15m, 1h, 1d (asks for a series)" };
        var agg = new Option<string>("--agg") { Description = "Series aggregate", DefaultValueFactory = _ => "mean" };
        agg.AcceptOnlyFromAmong("mean", "min", "max", "last", "count");
        var json = new Option<bool>("--json") { Description = "Print the API's JSON" };
        var cmd = new Command("query", """
            Read data from the gateway: the newest value per site, device and quantity, or a windowed series of one
            quantity when --window or --from is given.

            Examples:
              iotmon query --site wei-xianyang
              iotmon query --quantity water.turbidity --site wei-xianyang --from 48h --window 1h --agg max
            """)
        {
            site, device, quantity, from, to, window, agg, json,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            using var gw = cx.Gateway(parse);
            var now = DateTimeOffset.UtcNow;
            var series = parse.GetValue(window) is not null || parse.GetValue(from) is not null;
            var q = new List<string>();
            void Add(string k, string? v)
            {
                if (!string.IsNullOrEmpty(v))
                {
                    q.Add(k + "=" + Uri.EscapeDataString(v));
                }
            }

            Add("site", parse.GetValue(site));
            Add("device", parse.GetValue(device));
            Add("quantity", parse.GetValue(quantity));
            if (series)
            {
                if (parse.GetValue(quantity) is null)
                {
                    throw new CliException("a series needs --quantity (e.g. --quantity water.ph)", ExitCodes.BadArguments);
                }

                Add("from", Durations.ToApiTime(parse.GetValue(from), now));
                Add("to", Durations.ToApiTime(parse.GetValue(to), now));
                Add("window", parse.GetValue(window));
                Add("agg", parse.GetValue(agg));
            }

            var path = (series ? "/api/v1/series" : "/api/v1/latest") + (q.Count > 0 ? "?" + string.Join('&', q) : string.Empty);
            var body = await gw.GetJsonAsync(path, ct);
            if (parse.GetValue(json))
            {
                await cx.Out.WriteLineAsync(JsonSerializer.Serialize(body, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }

            if (series)
            {
                PrintSeries(cx, body);
            }
            else
            {
                PrintLatest(cx, body);
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static void PrintLatest(CliContext cx, JsonElement body)
    {
        var table = new Table().Title("newest values");
        foreach (var c in new[] { "site", "device", "quantity", "value", "unit", "time (UTC)", "flags" })
        {
            table.AddColumn(c);
        }

        var n = 0;
        foreach (var v in body.EnumerateArray())
        {
            n++;
            table.AddRow(
                Markup.Escape(DevicesCommand.Str(v, "site")),
                Markup.Escape(DevicesCommand.Str(v, "device")),
                Markup.Escape(DevicesCommand.Str(v, "quantity")),
                v.TryGetProperty("value", out var x) && x.ValueKind == JsonValueKind.Number ? x.GetDouble().ToString("G6", CultureInfo.InvariantCulture) : "null",
                Markup.Escape(DevicesCommand.Str(v, "unit")),
                v.TryGetProperty("t", out var t) && t.ValueKind == JsonValueKind.Number ? DateTimeOffset.FromUnixTimeSeconds(t.GetInt64()).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : string.Empty,
                v.TryGetProperty("flags", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetInt64().ToString(CultureInfo.InvariantCulture) : string.Empty);
        }

        cx.Console.Write(table);
        if (n == 0)
        {
            cx.Console.WriteLine("no values yet (nothing received since the gateway started, or the filters match nothing)");
        }
    }

    private static void PrintSeries(CliContext cx, JsonElement body)
    {
        var unit = DevicesCommand.Str(body, "unit");
        var table = new Table().Title($"{DevicesCommand.Str(body, "quantity")} ({unit}), {DevicesCommand.Str(body, "agg")} per {DevicesCommand.Str(body, "window")}");
        foreach (var c in new[] { "site", "device", "window start (UTC)", "value" })
        {
            table.AddColumn(c);
        }

        foreach (var line in body.GetProperty("series").EnumerateArray())
        {
            foreach (var p in line.GetProperty("points").EnumerateArray())
            {
                var t = (long)p[0].GetDouble();
                table.AddRow(
                    Markup.Escape(DevicesCommand.Str(line, "site")),
                    Markup.Escape(DevicesCommand.Str(line, "device")),
                    DateTimeOffset.FromUnixTimeSeconds(t).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    p.GetArrayLength() > 1 && p[1].ValueKind == JsonValueKind.Number ? p[1].GetDouble().ToString("G6", CultureInfo.InvariantCulture) : "null");
            }
        }

        cx.Console.Write(table);
    }
}
