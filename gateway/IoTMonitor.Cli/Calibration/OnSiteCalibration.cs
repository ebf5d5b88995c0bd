using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Cli.Calibration;

/// <summary>Settings of one on-site calibration (the options of <c>iotmon calibrate</c>).</summary>
public sealed record CalibrationSettings(
    string Device,
    string ConfigPath,
    int SessionSeconds,
    int Samples,
    double Tolerance,
    TimeSpan Timeout,
    double? BufferTempC,
    string? RecordId);

/// <summary>
/// A technician calibrating one probe of a node on site, through the gateway (docs/cli.md
/// "calibrate"): the node is put on a short sampling and upload interval (a remote config revision),
/// each standard's raw value is read from the stream until it is steady, the probe's own procedure
/// checks it and builds the record, the record goes to the node as a remote calibration, a fresh
/// reading shows it in force, and the node's schedule is put back. The record is also written into
/// the device config file so the next flashing keeps it.
/// </summary>
public sealed class OnSiteCalibration(CliContext cx, GatewayClient gw, ProbeCalibrationPlan plan, CalibrationSettings settings)
{
    private const long UncalibratedFlag = 16; // protocol §4

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    private string ConfigPath => $"/api/v1/devices/{Uri.EscapeDataString(settings.Device)}/config";

    public async Task<int> RunAsync(JsonNode deviceConfig, CancellationToken ct)
    {
        var start = await gw.GetJsonAsync(ConfigPath, ct).ConfigureAwait(false);
        var overlay = Desired(start);
        var schedule = new JsonObject { ["sampleSec"] = overlay["sampleSec"]?.DeepClone(), ["uploadSec"] = overlay["uploadSec"]?.DeepClone() };
        var restored = false;
        try
        {
            await cx.Out.WriteLineAsync($"Calibrating {settings.Device} sensor '{plan.Sensor}' ({plan.Quantity}), {plan.Procedure.Steps.Length} standards.").ConfigureAwait(false);
            var session = new JsonObject { ["sampleSec"] = settings.SessionSeconds, ["uploadSec"] = settings.SessionSeconds };
            await ApplyAsync(session, $"a {settings.SessionSeconds}-second calibration session", ct).ConfigureAwait(false);

            var temperature = settings.BufferTempC ?? await WaterTemperatureAsync(ct).ConfigureAwait(false);
            for (var step = 0; step < plan.Procedure.Steps.Length; step++)
            {
                await CaptureAsync(step, ct).ConfigureAwait(false);
            }

            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var built = plan.Procedure.TryBuildRecord(settings.RecordId ?? string.Empty, now, temperature, out var record);
            if (built != CalibrationResult.Ok)
            {
                throw new CliException($"the captured points make no record ({built}): two standards read the same raw value — check that the probe was moved between them", ExitCodes.Failed);
            }

            var json = RecordJson(record);
            var withRecord = new JsonObject { ["calibrations"] = Calibrations(overlay, json) };
            var calibrated = await ApplyAsync(withRecord, $"record {record.Id}", ct).ConfigureAwait(false);
            await VerifyAsync(record.Id, calibrated, ct).ConfigureAwait(false);

            await RestoreAsync(schedule, ct).ConfigureAwait(false);
            restored = true;
            await KeepInConfigFileAsync(deviceConfig, json, ct).ConfigureAwait(false);
            await cx.Out.WriteLineAsync($"Done: {plan.Sensor} on record {record.Id} {json.ToJsonString()}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        finally
        {
            if (!restored)
            {
                await cx.Err.WriteLineAsync($"iotmon calibrate: putting {settings.Device}'s sampling and upload intervals back").ConfigureAwait(false);
                try
                {
                    await gw.PatchJsonAsync(ConfigPath, schedule, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpProblem or HttpRequestException or TaskCanceledException)
                {
                    await cx.Err.WriteLineAsync($"iotmon calibrate: could not restore the schedule ({e.Message}); run: iotmon config --device {settings.Device} --clear or set --sample-sec/--upload-sec").ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Sends a change of the remote overlay and waits until the node has answered it; returns the time it did.</summary>
    private async Task<DateTimeOffset> ApplyAsync(JsonObject change, string what, CancellationToken ct)
    {
        var doc = await gw.PatchJsonAsync(ConfigPath, change, ct).ConfigureAwait(false);
        var rev = doc.GetProperty("desired").GetProperty("rev").GetInt64();
        await cx.Out.WriteLineAsync($"Sent {what} as rev {rev}; waiting for the node to answer (it does when it next connects — press its RESET button to wake it now) …").ConfigureAwait(false);
        var (answer, final) = await AckWait.PollAsync(gw, ConfigPath, settings.Timeout, d => AckedRev(d) >= rev, ct).ConfigureAwait(false);
        if (!final)
        {
            throw new CliException($"{settings.Device} did not answer rev {rev} within {Durations.Format(settings.Timeout)}: is it powered and in WiFi range?", ExitCodes.Failed);
        }

        var acked = answer.GetProperty("acked");
        if (!acked.GetProperty("ok").GetBoolean())
        {
            throw new CliException($"{settings.Device} refused rev {rev} ({what}): {acked.GetProperty("errName").GetString()} (err {acked.GetProperty("err")}, docs/config.md)", ExitCodes.Failed);
        }

        return DateTimeOffset.UtcNow;
    }

    private async Task RestoreAsync(JsonObject schedule, CancellationToken ct)
    {
        var back = (JsonObject)schedule.DeepClone();
        await ApplyAsync(back, "the node's own schedule again", ct).ConfigureAwait(false);
    }

    /// <summary>One standard: prompt, then read raw values until steady, then let the probe's procedure judge it.</summary>
    private async Task CaptureAsync(int step, CancellationToken ct)
    {
        var s = plan.Procedure.Steps[step];
        while (true)
        {
            await cx.Out.WriteLineAsync($"Step {step + 1}/{plan.Procedure.Steps.Length}: {s.Instruction}.").ConfigureAwait(false);
            await cx.Out.WriteAsync($"  Standard's value in {s.Unit} [{Number(s.ReferenceValue)}], Enter when the probe is in it (q to stop): ").ConfigureAwait(false);
            await cx.Out.FlushAsync(ct).ConfigureAwait(false);
            var line = (await Task.Run(cx.In.ReadLine, ct).ConfigureAwait(false))?.Trim();
            if (line is null || line.Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException("calibration stopped; the node keeps its previous record", ExitCodes.Failed);
            }

            var reference = s.ReferenceValue;
            if (line.Length > 0 && (!double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out reference) || !double.IsFinite(reference)))
            {
                await cx.Out.WriteLineAsync($"  '{line}' is not a number; try again.").ConfigureAwait(false);
                continue;
            }

            var raw = await SteadyRawAsync(ct).ConfigureAwait(false);
            var result = plan.Procedure.Capture(step, raw, reference);
            if (result == CalibrationResult.Ok)
            {
                await cx.Out.WriteLineAsync($"  captured raw {Number(raw)} for {Number(reference)} {s.Unit}").ConfigureAwait(false);
                return;
            }

            var window = $"{(double.IsNaN(s.MinRaw) ? "-" : Number(s.MinRaw))} … {(double.IsNaN(s.MaxRaw) ? "-" : Number(s.MaxRaw))}";
            await cx.Out.WriteLineAsync($"  raw {Number(raw)} is outside what a healthy probe reads in this standard ({window}): check the standard and the probe, then repeat the step.").ConfigureAwait(false);
        }
    }

    /// <summary>Raw values of readings sampled after the prompt, until <see cref="CalibrationSettings.Samples"/> of them agree.</summary>
    private async Task<double> SteadyRawAsync(CancellationToken ct)
    {
        var seenUpTo = (await LatestAsync(ct).ConfigureAwait(false))?.T ?? long.MinValue;
        var steady = new SteadyReading(settings.Samples, settings.Tolerance);
        var deadline = DateTime.UtcNow + settings.Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await LatestAsync(ct).ConfigureAwait(false) is { } r && r.T > seenUpTo)
            {
                seenUpTo = r.T;
                if (r.Raw is not { } raw)
                {
                    throw new CliException($"{settings.Device} sends no raw value for {plan.Quantity}: its firmware is too old for on-site calibration", ExitCodes.Failed);
                }

                await cx.Out.WriteLineAsync($"  raw {Number(raw)}").ConfigureAwait(false);
                if (steady.Add(raw))
                {
                    return steady.Median();
                }
            }

            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }

        throw new CliException($"no steady {plan.Quantity} reading within {Durations.Format(settings.Timeout)} (last: {string.Join(", ", steady.Window.Select(Number))}; --tolerance {Number(settings.Tolerance)})", ExitCodes.Failed);
    }

    /// <summary>A reading sampled after the record was answered: no longer UNCALIBRATED, value in the last standard.</summary>
    private async Task VerifyAsync(string recordId, DateTimeOffset answeredAt, CancellationToken ct)
    {
        var seenUpTo = (await LatestAsync(ct).ConfigureAwait(false))?.T ?? long.MinValue;
        var deadline = DateTime.UtcNow + settings.Timeout;
        var fresh = 0;
        while (DateTime.UtcNow < deadline)
        {
            if (await LatestAsync(ct).ConfigureAwait(false) is { } r && r.T > seenUpTo)
            {
                seenUpTo = r.T;

                // the first reading after the answer may have been sampled before the record was in force
                if (++fresh >= 2 || (r.Flags & UncalibratedFlag) == 0)
                {
                    if ((r.Flags & UncalibratedFlag) != 0)
                    {
                        throw new CliException($"{settings.Device} took record {recordId} but its {plan.Quantity} readings are still UNCALIBRATED", ExitCodes.Failed);
                    }

                    await cx.Out.WriteLineAsync($"In force: {plan.Quantity} now reads {(r.Value is { } v ? Number(v) : "no value")} in the last standard (raw {(r.Raw is { } raw ? Number(raw) : "-")}, since {answeredAt:HH:mm:ss} UTC).").ConfigureAwait(false);
                    return;
                }
            }

            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }

        throw new CliException($"no {plan.Quantity} reading came after the record was answered within {Durations.Format(settings.Timeout)}", ExitCodes.Failed);
    }

    private async Task KeepInConfigFileAsync(JsonNode deviceConfig, JsonObject record, CancellationToken ct)
    {
        var entry = ((JsonArray)deviceConfig["sensors"]!).OfType<JsonObject>().First(s => (string?)s["id"] == plan.Sensor);
        var copy = (JsonObject)record.DeepClone();
        copy.Remove("sensor");
        entry["calibration"] = copy;
        var text = deviceConfig.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        await File.WriteAllTextAsync(settings.ConfigPath, text + "\n", new UTF8Encoding(false), ct).ConfigureAwait(false);
        await cx.Out.WriteLineAsync($"Wrote the record into {settings.ConfigPath} (sensor '{plan.Sensor}'): the next flashing keeps it.").ConfigureAwait(false);
    }

    private async Task<double> WaterTemperatureAsync(CancellationToken ct)
    {
        var latest = await gw.GetJsonAsync($"/api/v1/latest?device={Uri.EscapeDataString(settings.Device)}&quantity=water.temp", ct).ConfigureAwait(false);
        foreach (var v in latest.EnumerateArray())
        {
            if (v.GetProperty("value") is { ValueKind: JsonValueKind.Number } t && t.GetDouble() is >= 0 and <= 50)
            {
                await cx.Out.WriteLineAsync($"Standards' temperature: {Number(t.GetDouble())} °C (the node's water.temp; --temp sets it).").ConfigureAwait(false);
                return t.GetDouble();
            }
        }

        await cx.Out.WriteLineAsync("Standards' temperature: 25 °C (no water temperature from the node; --temp sets it).").ConfigureAwait(false);
        return 25;
    }

    private async Task<LatestRaw?> LatestAsync(CancellationToken ct)
    {
        var latest = await gw.GetJsonAsync($"/api/v1/latest?device={Uri.EscapeDataString(settings.Device)}&quantity={Uri.EscapeDataString(plan.Quantity)}", ct).ConfigureAwait(false);
        foreach (var v in latest.EnumerateArray())
        {
            return new LatestRaw(
                v.GetProperty("t").GetInt64(),
                v.GetProperty("value") is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null,
                v.GetProperty("flags").GetInt64(),
                v.TryGetProperty("raw", out var raw) && raw.ValueKind == JsonValueKind.Number ? raw.GetDouble() : null);
        }

        return null;
    }

    private static JsonObject RecordJson(CalibrationRecord record)
    {
        var buffer = new byte[2048];
        var n = CalibrationRecordWriter.Write(record, buffer, 0, buffer.Length);
        return (JsonObject)JsonNode.Parse(buffer.AsSpan(0, n))!;
    }

    /// <summary>The overlay's records with this sensor's replaced: every record still meant to be in force is repeated (docs/config.md).</summary>
    private JsonArray Calibrations(JsonObject overlay, JsonObject record)
    {
        var list = new JsonArray();
        foreach (var other in (overlay["calibrations"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if ((string?)other["sensor"] != plan.Sensor)
            {
                list.Add(other.DeepClone());
            }
        }

        var entry = new JsonObject { ["sensor"] = plan.Sensor };
        foreach (var (key, value) in record)
        {
            entry[key] = value?.DeepClone();
        }

        list.Add(entry);
        return list;
    }

    private static JsonObject Desired(JsonElement doc) =>
        doc.TryGetProperty("desired", out var d) && d.ValueKind == JsonValueKind.Object
            ? (JsonObject)JsonNode.Parse(d.GetProperty("config").GetRawText())!
            : new JsonObject();

    private static long AckedRev(JsonElement doc) =>
        doc.TryGetProperty("acked", out var a) && a.ValueKind == JsonValueKind.Object ? a.GetProperty("rev").GetInt64() : -1;

    private static string Number(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private sealed record LatestRaw(long T, double? Value, long Flags, double? Raw);
}
