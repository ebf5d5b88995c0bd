using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTMonitor.Cli.Commands;

/// <summary>
/// <c>iotmon config</c>: a device's remote config (GET/PATCH/PUT/DELETE /api/v1/devices/{device}/config).
/// Without change options it shows where the config stands.
/// </summary>
public static class ConfigCommand
{
    public static Command Create(CliContext cx)
    {
        var device = new Option<string>("--device") { Description = "Device id", Required = true };
        var sampleSec = new Option<int?>("--sample-sec") { Description = "Sampling interval = deep-sleep period, s (10–86400)" };
        var uploadSec = new Option<int?>("--upload-sec") { Description = "Upload at least this often, s (10–604800)" };
        var batchMax = new Option<int?>("--batch-max") { Description = "Readings per telemetry batch (1–200)" };
        var maxAwakeSec = new Option<int?>("--max-awake-sec") { Description = "Hard cap on one wake, s (5–600)" };
        var threshold = new Option<string[]>("--threshold")
        {
            Description = "Upload at once when a reading crosses it: QUANTITY:above=X[,below=Y] (repeatable; replaces the thresholds list)",
            AllowMultipleArgumentsPerToken = false,
        };
        var calMaxAge = new Option<int?>("--cal-max-age-days") { Description = "Days after which a calibration record no longer counts (0–3650; 0: never)" };
        var calibrations = new Option<FileInfo?>("--calibrations") { Description = "JSON file with the remote calibration records, an array of {sensor, id, kind, points, …} (replaces the list; docs/config.md)" };
        var noCalibrations = new Option<bool>("--no-calibrations") { Description = "Remove the remote calibration records (the flashed ones are in force again)" };
        var clear = new Option<bool>("--clear") { Description = "Start from an empty overlay: alone, the node goes back to its flashed config; with changes, only those are kept" };
        var wait = new Option<string?>("--wait") { Description = "Wait this long (e.g. 20m) for the node's answer; exit 1 if it rejects or does not answer" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON" };
        var cmd = new Command("config", """
            Show or change a device's remote config (sampling, upload, batch, awake cap, thresholds). The gateway
            assigns the next revision and publishes the whole overlay retained; the node applies it the next
            time it connects to upload (up to uploadSec away) and answers. Changes merge into the current
            overlay (--clear starts from an empty one).

            Examples:
              iotmon config --device wq-0001
              iotmon config --device wq-0001 --sample-sec 300 --threshold water.level:above=3.5 --wait 20m
              iotmon config --device wq-0001 --clear
            """)
        {
            device, sampleSec, uploadSec, batchMax, maxAwakeSec, threshold, calMaxAge, calibrations, noCalibrations, clear, wait, json,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            var waitFor = AckWait.Parse(parse.GetValue(wait));
            var id = parse.GetValue(device)!;
            var path = $"/api/v1/devices/{Uri.EscapeDataString(id)}/config";
            var changes = new JsonObject();
            foreach (var (option, key) in new[] { (sampleSec, "sampleSec"), (uploadSec, "uploadSec"), (batchMax, "batchMax"), (maxAwakeSec, "maxAwakeSec") })
            {
                if (parse.GetValue(option) is { } n)
                {
                    changes[key] = n;
                }
            }

            if (parse.GetValue(threshold) is { Length: > 0 } thresholds)
            {
                changes["thresholds"] = new JsonArray([.. thresholds.Select(ParseThreshold)]);
            }

            if (parse.GetValue(calMaxAge) is { } days)
            {
                changes["calMaxAgeDays"] = days;
            }

            if (parse.GetValue(calibrations) is { } file)
            {
                changes["calibrations"] = await ReadCalibrationsAsync(file, ct);
            }
            else if (parse.GetValue(noCalibrations))
            {
                changes["calibrations"] = null; // merge-patch: removes the key
            }

            using var gw = cx.Gateway(parse);
            JsonElement doc;
            if (parse.GetValue(clear))
            {
                doc = changes.Count == 0 ? await gw.DeleteJsonAsync(path, ct) : await gw.PutJsonAsync(path, changes, ct);
            }
            else if (changes.Count > 0)
            {
                doc = await gw.PatchJsonAsync(path, changes, ct);
            }
            else
            {
                doc = await gw.GetJsonAsync(path, ct);
            }

            var final = true;
            if (waitFor is { } w && AckWait.State(doc) != "none")
            {
                if (!parse.GetValue(json))
                {
                    await cx.Out.WriteLineAsync($"waiting up to {Durations.Format(w)} for {id} to answer rev {Rev(doc, "desired")} (it answers when it next connects to upload) …");
                }

                (doc, final) = await AckWait.PollAsync(gw, path, w, d => AckWait.State(d) is "applied" or "rejected", ct);
            }

            if (parse.GetValue(json))
            {
                await cx.Out.WriteLineAsync(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                await PrintAsync(cx.Out, id, doc);
            }

            var state = AckWait.State(doc);
            if (waitFor is not null && !final)
            {
                await cx.Err.WriteLineAsync($"iotmon config: {id} did not answer rev {Rev(doc, "desired")} within {Durations.Format(waitFor.Value)} (state {state})");
                return ExitCodes.Failed;
            }

            if (state == "rejected")
            {
                await cx.Err.WriteLineAsync($"iotmon config: {id} rejected rev {Rev(doc, "desired")}: {ErrName(doc)} (docs/config.md error codes); it runs on its previous config");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static async Task<JsonArray> ReadCalibrationsAsync(FileInfo file, CancellationToken ct)
    {
        if (!file.Exists)
        {
            throw new CliException($"--calibrations {file.FullName} does not exist", ExitCodes.BadArguments);
        }

        try
        {
            return JsonNode.Parse(await File.ReadAllTextAsync(file.FullName, ct)) as JsonArray
                ?? throw new CliException($"--calibrations {file.Name} must hold a JSON array of records", ExitCodes.BadArguments);
        }
        catch (JsonException e)
        {
            throw new CliException($"--calibrations {file.Name} is not JSON: {e.Message}", ExitCodes.BadArguments);
        }
    }

    /// <summary><c>water.level:above=3.5,below=0.2</c> → <c>{"q":"water.level","above":3.5,"below":0.2}</c>.</summary>
    public static JsonObject ParseThreshold(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var bad = new CliException($"--threshold '{text}' must be QUANTITY:above=X[,below=Y] (example: water.level:above=3.5)", ExitCodes.BadArguments);
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw bad;
        }

        var entry = new JsonObject { ["q"] = text[..colon] };
        foreach (var part in text[(colon + 1)..].Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq > 0 ? part[..eq].Trim() : string.Empty;
            if (key is not ("above" or "below") || entry.ContainsKey(key)
                || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw bad;
            }

            entry[key] = value;
        }

        return entry;
    }

    private static async Task PrintAsync(TextWriter o, string device, JsonElement doc)
    {
        await o.WriteLineAsync($"{device}: {AckWait.State(doc)}");
        if (doc.TryGetProperty("desired", out var d) && d.ValueKind == JsonValueKind.Object)
        {
            await o.WriteLineAsync($"  desired  rev {d.GetProperty("rev")}  {d.GetProperty("config").GetRawText()}  set by {d.GetProperty("by").GetString()} at {When(d)}");
        }
        else
        {
            await o.WriteLineAsync("  desired  none (the node runs its flashed config)");
        }

        if (doc.TryGetProperty("acked", out var a) && a.ValueKind == JsonValueKind.Object)
        {
            var ok = a.GetProperty("ok").GetBoolean();
            await o.WriteLineAsync($"  answered rev {a.GetProperty("rev")}  {(ok ? "ok" : "rejected: " + a.GetProperty("errName").GetString() + " (err " + a.GetProperty("err") + ")")}  at {When(a)}");
        }
        else
        {
            await o.WriteLineAsync("  answered nothing yet");
        }
    }

    private static string When(JsonElement e) =>
        e.TryGetProperty("at", out var at) && at.ValueKind == JsonValueKind.String ? at.GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "?";

    private static string Rev(JsonElement doc, string part) =>
        doc.TryGetProperty(part, out var p) && p.ValueKind == JsonValueKind.Object ? p.GetProperty("rev").ToString() : "-";

    private static string ErrName(JsonElement doc) =>
        doc.TryGetProperty("acked", out var a) && a.ValueKind == JsonValueKind.Object ? $"{a.GetProperty("errName").GetString()} (err {a.GetProperty("err")})" : "?";
}
