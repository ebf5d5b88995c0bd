using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using IoTMonitor.Cli.Vocabulary;
using IoTMonitor.Firmware.Core.Power;
using NodeConfig = IoTMonitor.Firmware.Core.Config.DeviceConfig;
using NodeConfigError = IoTMonitor.Firmware.Core.Config.ConfigError;
using NodeConfigParser = IoTMonitor.Firmware.Core.Config.ConfigParser;
using Spectre.Console;
using IoTMonitor.Cli.Text;

namespace IoTMonitor.Cli.Commands;

/// <summary>
/// <c>iotmon check</c>: the commissioning report of one device — its newest readings against the
/// expected range of each probe, RSSI, battery, wake cost, clock sync, reporting — shown as a table
/// and written as a Markdown file the technician hands in. Exit 5 when a check fails.
/// </summary>
public static class CheckCommand
{
    public enum Verdict
    {
        Pass,
        Info,
        Warn,
        Fail,
    }

    public sealed record CheckRow(string Check, string Value, string Expected, Verdict Verdict, string Note = "");

    public static Command Create(CliContext cx)
    {
        var device = new Option<string>("--device") { Description = "Device id", Required = true };
        var config = new Option<FileInfo?>("--config") { Description = "The device's config file (expected probes, schedule, wake cost)" };
        var output = new Option<FileInfo?>("--out") { Description = "Report file (default check-<device>-<UTC time>.md)" };
        var maxAge = new Option<string?>("--max-age") { Description = "Newest message must be younger than this (default 2 × uploadSec, or 2h)" };
        var cmd = new Command("check", """
            Commissioning report for one device: its newest readings against the expected range per probe, RSSI,
            battery, wake cost, clock sync and reporting; printed and written as a Markdown file to hand in.
            Exits 5 when a check fails.

            Example:
              iotmon check --device wq-0001 --config wq-0001.json --api-key-file .local/admin.key
            """)
        {
            device, config, output, maxAge,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            var t = CliContext.Text(parse);
            var id = parse.GetValue(device)!;
            DeviceDoc? doc = null;
            if (parse.GetValue(config) is { } cf)
            {
                if (!cf.Exists)
                {
                    throw new CliException($"--config {cf.FullName} does not exist", ExitCodes.BadArguments);
                }

                doc = DeviceDoc.Parse(File.ReadAllText(cf.FullName));
                if (doc.Device != id)
                {
                    throw new CliException($"--config is for device '{doc.Device}', not '{id}'", ExitCodes.BadArguments);
                }
            }

            TimeSpan? age = null;
            if (parse.GetValue(maxAge) is { } ma)
            {
                age = Durations.TryParse(ma, out var a) ? a : throw new CliException($"--max-age '{ma}' is not a duration (e.g. 30m, 2h)", ExitCodes.BadArguments);
            }

            using var gw = cx.Gateway(parse);
            var now = DateTimeOffset.UtcNow;
            var devices = await gw.GetJsonAsync("/api/v1/devices", ct);
            var entry = devices.EnumerateArray().FirstOrDefault(d => DevicesCommand.Str(d, "id") == id);
            JsonElement? latest = null;
            string? latestProblem = null;
            try
            {
                latest = await gw.GetJsonAsync("/api/v1/latest?device=" + Uri.EscapeDataString(id), ct);
            }
            catch (HttpProblem e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
            {
                latestProblem = e.Message;
            }

            var rows = Evaluate(id, entry.ValueKind == JsonValueKind.Object ? entry : null, latest, latestProblem, doc, now, age ?? (doc is null ? TimeSpan.FromHours(2) : TimeSpan.FromSeconds(2 * Math.Max(doc.UploadSec, doc.SampleSec))));
            var file = parse.GetValue(output) ?? new FileInfo($"check-{id}-{now.UtcDateTime:yyyyMMdd'T'HHmm'Z'}.md");
            await File.WriteAllTextAsync(file.FullName, Markdown(id, gw.BaseUrl, now, rows, t), ct);

            var table = new Table().Title(t.Format("commissioning check of {0}", Markup.Escape(id)));
            foreach (var c in new[] { "check", "value", "expected", "result", "note" })
            {
                table.AddColumn(t[c]);
            }

            foreach (var r in rows)
            {
                table.AddRow(Markup.Escape(t.CheckName(r.Check)), Markup.Escape(t[r.Value]), Markup.Escape(t[r.Expected]), Colour(r.Verdict, t), Markup.Escape(t[r.Note]));
            }

            cx.Console.Write(table);
            var failed = rows.Count(r => r.Verdict == Verdict.Fail);
            cx.Console.WriteLine(t.Format("{0}: {1} pass, {2} warning, {3} fail. Report: {4}", t[failed == 0 ? "PASSED" : "FAILED"], rows.Count(r => r.Verdict == Verdict.Pass), rows.Count(r => r.Verdict == Verdict.Warn), failed, file.FullName));
            return failed == 0 ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return cmd;
    }

    public static List<CheckRow> Evaluate(string id, JsonElement? entry, JsonElement? latest, string? latestProblem, DeviceDoc? doc, DateTimeOffset now, TimeSpan maxAge)
    {
        var rows = new List<CheckRow>();
        if (entry is not { } e)
        {
            rows.Add(new("registered", "no", "yes", Verdict.Fail, "register it with iotmon provision"));
            return rows;
        }

        var enabled = !(e.TryGetProperty("enabled", out var en) && en.ValueKind == JsonValueKind.False);
        rows.Add(new("registered", "site " + DevicesCommand.Str(e, "site") + (enabled ? string.Empty : ", disabled"), "enabled", enabled ? Verdict.Pass : Verdict.Fail));

        DateTimeOffset? lastSeen = e.TryGetProperty("lastSeen", out var ls) && ls.ValueKind == JsonValueKind.String ? ls.GetDateTimeOffset() : null;
        rows.Add(lastSeen is { } seen
            ? new("last message", $"{Ago(now - seen)} ago ({seen.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC)", "< " + Durations.Format(maxAge), now - seen <= maxAge ? Verdict.Pass : Verdict.Fail, now - seen <= maxAge ? string.Empty : "check WiFi/MQTT settings; the node keeps readings in flash meanwhile")
            : new("last message", "never", "< " + Durations.Format(maxAge), Verdict.Fail, "no telemetry since the gateway started: power, WiFi, broker address, credentials"));

        var battery = e.TryGetProperty("battery", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetDouble() : double.NaN;
        rows.Add(double.IsNaN(battery) || battery == 0
            ? new("battery", "unknown", "≥ 3.6 V", lastSeen is null ? Verdict.Fail : Verdict.Warn)
            : new("battery", battery.ToString("0.000", CultureInfo.InvariantCulture) + " V", "≥ 3.6 V", battery >= 3.6 ? Verdict.Pass : battery >= 3.5 ? Verdict.Warn : Verdict.Fail, battery >= 3.6 ? string.Empty : "charge the pack / check the panel and charger"));

        var rssi = e.TryGetProperty("rssi", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt32() : 0;
        rows.Add(rssi == 0
            ? new("WiFi RSSI", "unknown", "≥ −75 dBm", lastSeen is null ? Verdict.Fail : Verdict.Warn)
            : new("WiFi RSSI", rssi + " dBm", "≥ −75 dBm", rssi >= -75 ? Verdict.Pass : rssi >= -85 ? Verdict.Warn : Verdict.Fail, rssi >= -75 ? string.Empty : "move or raise the antenna, or add a repeater"));

        var gaps = e.TryGetProperty("gaps", out var g) && g.ValueKind == JsonValueKind.Array ? g.GetArrayLength() : 0;
        var dups = e.TryGetProperty("duplicates", out var du) && du.ValueKind == JsonValueKind.Number ? du.GetInt64() : 0;
        rows.Add(new("sequence", $"boot {Num(e, "boot")}, n up to {Num(e, "highestSequence")}, {gaps} gap(s), {dups} duplicate(s)", "no gaps", gaps == 0 ? Verdict.Pass : Verdict.Warn, gaps == 0 ? string.Empty : "readings missing: dropped (flash full) or still queued"));

        var values = new Dictionary<string, (double? Value, long Flags, long T)>(StringComparer.Ordinal);
        if (latest is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var v in list.EnumerateArray())
            {
                var q = DevicesCommand.Str(v, "quantity");
                double? value = v.TryGetProperty("value", out var x) && x.ValueKind == JsonValueKind.Number ? x.GetDouble() : null;
                values[q] = (value, v.TryGetProperty("flags", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetInt64() : 0, v.TryGetProperty("t", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : 0);
            }
        }
        else
        {
            rows.Add(new("readings", "not available", "newest value per probe", Verdict.Warn, latestProblem ?? "the gateway has no /api/v1/latest"));
        }

        var expectedQuantities = doc?.Quantities ?? values.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        foreach (var q in expectedQuantities)
        {
            var (range, rangeText) = ExpectedRange(q);
            if (!values.TryGetValue(q, out var v))
            {
                rows.Add(new("probe " + q, "no reading", rangeText, latest is null ? Verdict.Warn : Verdict.Fail, Quantities.Find(q) is null ? "not a protocol quantity code: check the sensors of the config" : "no value received for this quantity"));
                continue;
            }

            var flagText = FlagNames(v.Flags);
            if (v.Value is not { } value || (v.Flags & 4) != 0)
            {
                rows.Add(new("probe " + q, "null", rangeText, Verdict.Fail, "NO_VALUE: probe absent, cable cut or bus error " + flagText));
                continue;
            }

            var inRange = value >= range.Min && value <= range.Max;
            var bad = (v.Flags & (1 | 2 | 64)) != 0;
            var soft = (v.Flags & (8 | 16)) != 0;
            var verdict = !inRange || bad ? Verdict.Fail : soft ? Verdict.Warn : Verdict.Pass;
            rows.Add(new("probe " + q, value.ToString("G6", CultureInfo.InvariantCulture), rangeText, verdict, (inRange ? string.Empty : "outside the expected range; check wiring and calibration ") + flagText));
        }

        if (values.Count > 0 && lastSeen is { } last)
        {
            var newest = values.Values.Max(v => v.T);
            var estimated = values.Values.Any(v => (v.Flags & 32) != 0);
            var skew = last.ToUnixTimeSeconds() - newest;
            var allowed = doc is null ? 3600 + 300 : doc.SampleSec + doc.UploadSec + 300;
            var verdict = newest > last.ToUnixTimeSeconds() + 300 ? Verdict.Fail : estimated || skew > allowed ? Verdict.Warn : Verdict.Pass;
            rows.Add(new("clock sync", $"newest reading {skew} s before it was received{(estimated ? ", times estimated" : string.Empty)}", $"0 … {allowed} s, SNTP-synced", verdict,
                verdict == Verdict.Fail ? "node clock ahead of the gateway: check SNTP (ntp key) and the gateway's clock" : estimated ? "readings sampled before SNTP sync were rebased (TIME_ESTIMATED)" : string.Empty));
        }

        if (doc is not null)
        {
            if (doc.WakeCost() is var (awakeMs, mahPerWake, mahPerDay, days))
            {
                rows.Add(new("wake cost (estimate)", $"{awakeMs / 1000.0:0.0} s awake, {mahPerWake:0.00} mAh per wake, {mahPerDay:0.0} mAh/day", "≥ 14 days on 6 Ah without sun", days >= 14 ? Verdict.Pass : Verdict.Warn, $"{days:0} days without sun (4.2 Ah usable); the firmware's power model on this config (hardware/common/power.md §4)"));
            }
            else
            {
                rows.Add(new("wake cost (estimate)", "n/a", "a config the node accepts", Verdict.Warn, "the node's parser refuses this config: it would run on its defaults"));
            }
        }
        else
        {
            rows.Add(new("wake cost (estimate)", "n/a", "pass --config", Verdict.Info));
        }

        return rows;
    }

    /// <summary>
    /// The range a probe of quantity <paramref name="code"/> must read in and how the report shows it:
    /// its commissioning range; the plausible range for a vocabulary quantity without one; none for a
    /// code that is not in the vocabulary (the gateway refuses its readings, so it shows as no reading).
    /// </summary>
    public static ((double Min, double Max) Range, string Text) ExpectedRange(string code)
    {
        static string Span(double min, double max) => string.Create(CultureInfo.InvariantCulture, $"{min} … {max}");
        return Quantities.Find(code) switch
        {
            { Commissioning: { } c } => (c, Span(c.Min, c.Max)),
            { } q => ((q.Min, q.Max), "plausible " + Span(q.Min, q.Max)),
            null => ((double.NegativeInfinity, double.PositiveInfinity), "not in the vocabulary"),
        };
    }

    private static string Num(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.ToString() : "?";

    private static string Ago(TimeSpan t) => Durations.Format(t < TimeSpan.Zero ? TimeSpan.Zero : t);

    public static string FlagNames(long flags)
    {
        if (flags == 0)
        {
            return string.Empty;
        }

        string[] names = ["OUT_OF_RANGE", "STUCK", "NO_VALUE", "WARMING_UP", "UNCALIBRATED", "TIME_ESTIMATED", "SENSOR_FAULT"];
        var set = names.Where((_, i) => (flags & (1L << i)) != 0).ToList();
        return "[" + string.Join(' ', set) + "]";
    }

    private static string Colour(Verdict v, CliText t) => v switch
    {
        Verdict.Pass => $"[green]{t["PASS"]}[/]",
        Verdict.Warn => $"[yellow]{t["WARN"]}[/]",
        Verdict.Fail => $"[red]{t["FAIL"]}[/]",
        _ => t["info"],
    };

    /// <summary>
    /// The report file handed in after commissioning, in the technician's language: headings, verdicts,
    /// check names and notes as on screen; the time in UTC and, for a Chinese report, also in China
    /// Standard Time (UTC+8, the time on the site's paperwork).
    /// </summary>
    public static string Markdown(string id, Uri gateway, DateTimeOffset now, IReadOnlyList<CheckRow> rows, CliText t)
    {
        var sb = new StringBuilder();
        var failed = rows.Count(r => r.Verdict == Verdict.Fail);
        var utc = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
        var time = t.IsChinese ? $"{now.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm:ss} UTC+8 ({utc})" : utc;
        sb.Append(t.Format("# Commissioning check: {0}", id)).Append("\n\n");
        sb.Append("- ").Append(t.Format("gateway: {0}", gateway)).Append('\n');
        sb.Append("- ").Append(t.Format("time: {0}", time)).Append('\n');
        sb.Append("- ").Append(t.Format("result: **{0}** ({1} failed check(s))", t[failed == 0 ? "PASSED" : "FAILED"], failed)).Append("\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"| {t["check"]} | {t["value"]} | {t["expected"]} | {t["result"]} | {t["note"]} |\n|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {Cell(t.CheckName(r.Check))} | {Cell(t[r.Value])} | {Cell(t[r.Expected])} | {VerdictWord(r.Verdict, t)} | {Cell(t[r.Note])} |\n");
        }

        sb.Append('\n').Append(t["Technician: ____________________  Signature: ____________________"]).Append('\n');
        return sb.ToString();
    }

    private static string VerdictWord(Verdict v, CliText t) => v switch
    {
        Verdict.Pass => t["PASS"],
        Verdict.Warn => t["WARN"],
        Verdict.Fail => t["FAIL"],
        _ => t["INFO"],
    };

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
}

/// <summary>What <c>check</c> needs from a device config document.</summary>
public sealed record DeviceDoc(string Device, int SampleSec, int UploadSec, int BatchMax, List<string> Quantities, List<(int WarmupMs, int Samples)> Sensors, string Json)
{
    public static DeviceDoc Parse(string json)
    {
        try
        {
            using var d = JsonDocument.Parse(json);
            var root = d.RootElement;
            var quantities = new List<string>();
            var sensors = new List<(int, int)>();
            if (root.TryGetProperty("sensors", out var list))
            {
                foreach (var s in list.EnumerateArray())
                {
                    var q = s.GetProperty("quantity");
                    if (q.ValueKind == JsonValueKind.String)
                    {
                        quantities.Add(q.GetString()!);
                    }
                    else
                    {
                        quantities.AddRange(q.EnumerateArray().Select(x => x.GetString()!));
                    }

                    sensors.Add((s.TryGetProperty("warmupMs", out var w) ? w.GetInt32() : 0, s.TryGetProperty("samples", out var n) ? n.GetInt32() : 5));
                }
            }

            return new DeviceDoc(
                root.GetProperty("device").GetString()!,
                root.TryGetProperty("sampleSec", out var ss) ? ss.GetInt32() : 900,
                root.TryGetProperty("uploadSec", out var us) ? us.GetInt32() : 3600,
                root.TryGetProperty("batchMax", out var bm) ? bm.GetInt32() : 50,
                quantities,
                sensors,
                json);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CliException("the config file is not a device config document: " + e.Message, ExitCodes.BadArguments);
        }
    }

    /// <summary>
    /// Estimated wake cost from the firmware core's power model (Power/PowerModel with the default
    /// PowerProfile: the figures of hardware/common/power.md §4) on this document as the node parses
    /// it; null when the node would refuse the document (it then runs on its built-in defaults).
    /// </summary>
    public (double AwakeMs, double MahPerWake, double MahPerDay, double DaysOn6Ah)? WakeCost()
    {
        var config = new NodeConfig();
        var bytes = Encoding.UTF8.GetBytes(Json);
        if (new NodeConfigParser().ParseDevice(bytes, 0, bytes.Length, config) != NodeConfigError.None)
        {
            return null;
        }

        var p = new PowerProfile();
        var wakesPerDay = 86400.0 / config.SampleSec;
        var perUpload = Math.Max(config.UploadSec, config.SampleSec) / config.SampleSec;
        var uploadMs = PowerModel.UploadMs(config, p, PowerModel.ReadingsPerWake(config, false) * perUpload);
        var awake = PowerModel.SampleWakeMs(config, p) + ((double)uploadMs / perUpload);
        var mahPerDay = PowerModel.DailyMah(config, p);
        return (awake, mahPerDay / wakesPerDay, mahPerDay, PowerModel.LifeDays(config, p));
    }
}
