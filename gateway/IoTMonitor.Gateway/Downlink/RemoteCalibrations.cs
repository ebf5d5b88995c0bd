using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// The remote <c>calibrations</c> key (docs/config.md "calibrations[] (remote)"): structure, kinds,
/// point counts and ranges as the firmware's ConfigParser checks them. Whether the named sensor
/// exists on the node and whether its probe takes the record only the node knows: it answers
/// UnknownSensor (11) or BadCalibration (9), and the config shows as rejected.
/// </summary>
public static class RemoteCalibrations
{
    /// <summary>Records per remote config (the firmware's MaxRemoteCalibrations).</summary>
    public const int MaxRecords = 16;

    /// <summary>Points per record (CalibrationRecord.MaxPoints).</summary>
    public const int MaxPoints = 8;

    /// <summary>Longest sensor id and record id (CalibrationRecord.MaxIdLength).</summary>
    public const int MaxIdLength = 32;

    // point counts per kind: firmware/IoTMonitor.Firmware.Core/Sensors/Calibration/CalibrationKind.cs
    private static readonly Dictionary<string, (int Min, int Max)> Kinds = new(StringComparer.Ordinal)
    {
        ["linear"] = (1, MaxPoints),
        ["ph"] = (2, 3),
        ["ec"] = (1, 2),
        ["do"] = (1, 2),
        ["moisture"] = (2, 2),
        ["level"] = (2, 2),
    };

    private static readonly string[] RecordKeys = ["sensor", "id", "kind", "points", "tempCoeff", "tempC", "at"];

    /// <summary>The records in canonical key order, or null with <paramref name="error"/> naming the entry and key.</summary>
    public static JsonArray? Normalize(JsonNode node, out string? error)
    {
        error = null;
        if (node is not JsonArray array)
        {
            error = "'calibrations' must be an array of {\"sensor\", \"id\", \"kind\", \"points\", …} (docs/config.md)";
            return null;
        }

        if (array.Count > MaxRecords)
        {
            error = $"'calibrations' may hold at most {MaxRecords} records (got {array.Count})";
            return null;
        }

        var result = new JsonArray();
        var sensors = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            var record = Record(array[i], $"calibrations[{i}]", out error);
            if (record is null)
            {
                return null;
            }

            if (!sensors.Add(record["sensor"]!.GetValue<string>()))
            {
                error = $"'calibrations[{i}].sensor' names a sensor another record already names (one record per sensor entry)";
                return null;
            }

            result.Add(record);
        }

        return result;
    }

    private static JsonObject? Record(JsonNode? node, string at, out string? error)
    {
        error = null;
        if (node is not JsonObject o)
        {
            error = $"'{at}' must be an object";
            return null;
        }

        foreach (var (key, _) in o)
        {
            if (!RecordKeys.Contains(key))
            {
                error = $"'{at}.{key}' is not a calibration record key (allowed: {string.Join(", ", RecordKeys)})";
                return null;
            }
        }

        var sensor = Text(o["sensor"]);
        var id = Text(o["id"]);
        if (sensor is null || id is null)
        {
            error = $"'{at}' needs 'sensor' (the sensor entry's id) and 'id' (the record's id), strings of 1–{MaxIdLength} characters";
            return null;
        }

        var kind = Text(o["kind"]);
        if (kind is null || !Kinds.TryGetValue(kind, out var count))
        {
            error = $"'{at}.kind' must be one of {string.Join(", ", Kinds.Keys)}";
            return null;
        }

        var points = Points(o["points"], at, count, kind, out error);
        if (points is null)
        {
            return null;
        }

        var result = new JsonObject { ["sensor"] = sensor, ["id"] = id, ["kind"] = kind, ["points"] = points };
        foreach (var (key, min, max) in new[] { ("tempCoeff", 0.0, 0.1), ("tempC", 0.0, 50.0) })
        {
            if (o[key] is { } v)
            {
                if (!JsonNumbers.TryFinite(v, out var x) || x < min || x > max)
                {
                    error = $"'{at}.{key}' must be a number {min.ToString(System.Globalization.CultureInfo.InvariantCulture)}–{max.ToString(System.Globalization.CultureInfo.InvariantCulture)} (got {v.ToJsonString()})";
                    return null;
                }

                result[key] = x;
            }
        }

        if (o["at"] is { } t)
        {
            if (!JsonNumbers.TryInteger(t, out var seconds) || seconds < 0)
            {
                error = $"'{at}.at' must be Unix seconds, an integer ≥ 0 (got {t.ToJsonString()})";
                return null;
            }

            result["at"] = seconds;
        }

        return result;
    }

    private static JsonArray? Points(JsonNode? node, string at, (int Min, int Max) count, string kind, out string? error)
    {
        error = null;
        if (node is not JsonArray list || list.Any(p => p is not JsonArray pair || pair.Count != 2 || !JsonNumbers.TryFinite(pair[0], out _) || !JsonNumbers.TryFinite(pair[1], out _)))
        {
            error = $"'{at}.points' must be an array of [raw, reference] number pairs";
            return null;
        }

        if (list.Count < count.Min || list.Count > count.Max)
        {
            error = $"'{at}.points': a {kind} record takes {(count.Min == count.Max ? count.Min.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{count.Min}–{count.Max}")} point(s) (got {list.Count})";
            return null;
        }

        var raws = new HashSet<double>();
        var result = new JsonArray();
        foreach (var p in list.Cast<JsonArray>())
        {
            JsonNumbers.TryFinite(p[0], out var raw);
            JsonNumbers.TryFinite(p[1], out var reference);
            if (!raws.Add(raw))
            {
                error = $"'{at}.points' has two points at raw {raw.ToString(System.Globalization.CultureInfo.InvariantCulture)}: they define no line";
                return null;
            }

            result.Add(new JsonArray(raw, reference));
        }

        return result;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 and <= MaxIdLength } s ? s : null;
}
