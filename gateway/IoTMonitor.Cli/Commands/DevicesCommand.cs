using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using IoTMonitor.Cli.Text;
using Spectre.Console;

namespace IoTMonitor.Cli.Commands;

/// <summary><c>iotmon devices</c>: the registered devices with what the gateway last heard (GET /api/v1/devices).</summary>
public static class DevicesCommand
{
    public static Command Create(CliContext cx)
    {
        var site = new Option<string?>("--site") { Description = "Only devices of this site" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a table" };
        var cmd = new Command("devices", """
            List the devices registered at the gateway: site, enabled, last seen, battery, RSSI, boot, highest
            sequence number, sequence gaps and duplicates (needs the admin key).

            Example:
              iotmon devices --api-key-file .local/admin.key --site wei-xianyang
            """)
        {
            site,
            json,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            using var gw = cx.Gateway(parse);
            var t = CliContext.Text(parse);
            var list = await gw.GetJsonAsync("/api/v1/devices", ct);
            var only = parse.GetValue(site);
            var rows = list.EnumerateArray().Where(d => only is null || d.GetProperty("site").GetString() == only).ToList();
            if (parse.GetValue(json))
            {
                await cx.Out.WriteLineAsync(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }

            var table = new Table().Title(Markup.Escape(t.Format("{0} device(s) at {1}", rows.Count, gw.BaseUrl)));
            // The network column only when a listed node is cellular: a Wi-Fi fleet's table stays as narrow as before.
            var cellular = rows.Any(d => Network(d) != "-");
            foreach (var c in new[] { "device", "site", "enabled", LastSeenColumn(t), "battery V", "RSSI dBm", "network", "boot", "highest n", "gaps", "dups", "remote config" }.Where(c => cellular || c != "network"))
            {
                table.AddColumn(Markup.Escape(t[c]));
            }

            foreach (var d in rows.OrderBy(d => d.GetProperty("site").GetString(), StringComparer.Ordinal).ThenBy(d => d.GetProperty("id").GetString(), StringComparer.Ordinal))
            {
                var cells = new List<string>
                {
                    Markup.Escape(Str(d, "id")),
                    Markup.Escape(Str(d, "site")),
                    t[d.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.False ? "no" : "yes"],
                    d.TryGetProperty("lastSeen", out var ls) && ls.ValueKind == JsonValueKind.String ? LastSeen(ls.GetDateTimeOffset(), t) : t["never"],
                    Num(d, "battery", "0.000"),
                    Num(d, "rssi", "0"),
                };
                if (cellular)
                {
                    cells.Add(Markup.Escape(Network(d)));
                }

                cells.AddRange(
                [
                    Num(d, "boot", "0"),
                    Num(d, "highestSequence", "0"),
                    d.TryGetProperty("gaps", out var g) && g.ValueKind == JsonValueKind.Array ? g.GetArrayLength().ToString(CultureInfo.InvariantCulture) : "0",
                    Num(d, "duplicates", "0"),
                    Markup.Escape(RemoteConfig(d, t)),
                ]);
                table.AddRow(cells.ToArray());
            }

            cx.Console.Write(table);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// A cellular node's network from the device list: "CHINA MOBILE LTE RSRP -97 dBm ICCID 8986…1234"
    /// (protocol §4 op, act, rsrp, iccid); "-" for a Wi-Fi node.
    /// </summary>
    internal static string Network(JsonElement d)
    {
        if (!d.TryGetProperty("cellular", out var c) || c.ValueKind != JsonValueKind.Object)
        {
            return "-";
        }

        var parts = new List<string>();
        if (Str(c, "operator") is { Length: > 0 } op)
        {
            parts.Add(op);
        }

        if (c.TryGetProperty("act", out var act) && act.ValueKind == JsonValueKind.Number)
        {
            // 3GPP TS 27.007 §7.3 <AcT>
            parts.Add(act.GetInt64() switch { 0 => "GSM", 2 => "UTRAN", 7 => "LTE", 8 => "EC-GSM-IoT", 9 => "NB-IoT", var n => "AcT " + n.ToString(CultureInfo.InvariantCulture) });
        }

        if (c.TryGetProperty("rsrp", out var rsrp) && rsrp.ValueKind == JsonValueKind.Number)
        {
            parts.Add("RSRP " + rsrp.GetInt64().ToString(CultureInfo.InvariantCulture) + " dBm");
        }

        if (Str(c, "iccid") is { Length: > 0 } iccid)
        {
            parts.Add("ICCID " + iccid);
        }

        return parts.Count == 0 ? "-" : string.Join(' ', parts);
    }

    /// <summary>The device list's config summary: "applied r3", "pending r4 (answered r3)", or "-" when none was ever set.</summary>
    private static string RemoteConfig(JsonElement d, CliText t)
    {
        if (!d.TryGetProperty("config", out var c) || c.ValueKind != JsonValueKind.Object || Str(c, "state") is "" or "none")
        {
            return "-";
        }

        var desired = c.TryGetProperty("desiredRev", out var dr) && dr.ValueKind == JsonValueKind.Number ? dr.GetInt64() : 0;
        var acked = c.TryGetProperty("ackedRev", out var ar) && ar.ValueKind == JsonValueKind.Number ? ar.GetInt64() : (long?)null;
        var state = Str(c, "state");
        return state == "pending" && acked is { } a ? t.Format("pending r{0} (answered r{1})", desired, a) : t.Format("{0} r{1}", t[state], desired);
    }

    // a Chinese table gives times in China Standard Time (UTC+8), the zone of the technician's watch;
    // English keeps UTC, as the gateway's logs do
    private static string LastSeenColumn(CliText t) => t.IsChinese ? "last seen (UTC+8)" : "last seen (UTC)";

    private static string LastSeen(DateTimeOffset at, CliText t) =>
        (t.IsChinese ? at.ToOffset(TimeSpan.FromHours(8)) : at.ToUniversalTime()).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    internal static string Str(JsonElement e, string name) =>
    e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : string.Empty;

    internal static string Num(JsonElement e, string name, string format) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && (v.GetDouble() != 0 || name is "boot" or "highestSequence" or "duplicates")
            ? v.GetDouble().ToString(format, CultureInfo.InvariantCulture)
            : "–";
}
