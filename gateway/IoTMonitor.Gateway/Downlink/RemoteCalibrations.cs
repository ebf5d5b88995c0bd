using System.Text.Json.Nodes;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// The remote <c>calibrations</c> key (docs/config.md "calibrations[] (remote)"): records a technician
/// made on site, one per sensor entry. Checked here with the firmware's shape rules so a typo is a 400
/// naming the entry, not a rejected revision a wake later. Whether the node has that sensor and whether
/// its probe takes the record only the node knows (it answers UnknownSensor / BadCalibration).
/// </summary>
public static class RemoteCalibrations
{
    /// <summary>Records per overlay (the firmware's ConfigParser limit).</summary>
    public const int MaxRecords = 16;

    /// <summary>Points per record (the firmware's CalibrationRecord limit).</summary>
    public const int MaxPoints = 8;

    /// <summary>Ids: the firmware's CalibrationRecord.MaxIdLength; sensor ids share it.</summary>
    public const int MaxIdLength = 32;

    // Point counts per kind: docs/config.md sensors[].calibration (CalibrationKinds in the firmware).
    private static readonly Dictionary<string, (int Min, int Max)> PointsPerKind = new(StringComparer.Ordinal)
    {
        ["linear"] = (1, 8),
        ["ph"] = (2, 3),
        ["ec"] = (1, 2),
        ["do"] = (1, 2),
        ["moisture"] = (2, 2),
        ["level"] = (2, 2),
    };

    private static readonly string[] Keys = ["sensor", "id", "kind", "points", "tempCoeff", "tempC", "at"];

    /// <summary>The records in canonical key order, or null with <paramref name="error"/> naming the entry and the rule.</summary>
    public static JsonArray? Normalize(JsonNode node, out string? error)
    {
        error = null;
        if (node is not JsonArray array)
        {
            error = "'calibrations' must be an array of records {\"sensor\", \"id\", \"kind\", \"points\", …} (docs/config.md)";
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

            if (!sensors.Add((string)record["sensor"]!))
            {
                error = $"'calibrations[{i}].sensor' names '{record["sensor"]}' a second time: one record per sensor entry";
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
            error = $"'{at}' must be an object {{\"sensor\", \"id\", \"kind\", \"points\", …}}";
            return null;
        }

        foreach (var (key, _) in o)
        {
            if (!Keys.Contains(key))
            {
                error = $"'{at}.{key}' is not a calibration key (allowed: {string.Join(", ", Keys)})";
                return null;
            }
        }

        var result = new JsonObject();
        foreach (var key in new[] { "sensor", "id" })
        {
            if (o[key] is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Length == 0 || text.Length > MaxIdLength)
            {
                error = $"'{at}.{key}' must be a string of 1–{MaxIdLength} characters";
                return null;
            }

            result[key] = text;
        }

        if (o["kind"] is not JsonValue k || !k.TryGetValue<string>(out var kind) || !PointsPerKind.TryGetValue(kind, out var count))
        {
            error = $"'{at}.kind' must be one of {string.Join(", ", PointsPerKind.Keys)}";
            return null;
        }

        result["kind"] = kind;
        var points = Points(o["points"], at, kind, count, out error);
        if (points is null)
        {
            return null;
        }

        result["points"] = points;
        foreach (var (key, min, max) in new[] { ("tempCoeff", 0.0, 0.1), ("tempC", 0.0, 50.0) })
        {
            if (o[key] is { } n)
            {
                if (!JsonNumbers.TryFinite(n, out var value) || value < min || value > max)
                {
                    error = $"'{at}.{key}' must be a number {min}–{max} (got {n.ToJsonString()})";
                    return null;
                }

                result[key] = value;
            }
        }

        if (o["at"] is { } when)
        {
            if (!JsonNumbers.TryInteger(when, out var seconds) || seconds < 0)
            {
                error = $"'{at}.at' must be Unix seconds ≥ 0 (got {when.ToJsonString()})";
                return null;
            }

            result["at"] = seconds;
        }

        return result;
    }

    private static JsonArray? Points(JsonNode? node, string at, string kind, (int Min, int Max) count, out string? error)
    {
        error = null;
        if (node is not JsonArray array || array.Count < count.Min || array.Count > count.Max)
        {
            var n = count.Min == count.Max ? $"{count.Min}" : $"{count.Min}–{count.Max}";
            error = $"'{at}.points' must be an array of {n} [raw, reference] pairs for kind '{kind}'";
            return null;
        }

        var result = new JsonArray();
        var raws = new HashSet<double>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonArray pair || pair.Count != 2 || !JsonNumbers.TryFinite(pair[0], out var raw) || !JsonNumbers.TryFinite(pair[1], out var reference))
            {
                error = $"'{at}.points[{i}]' must be [raw, reference], two finite numbers";
                return null;
            }

            if (!raws.Add(raw))
            {
                error = $"'{at}.points' has the raw value {raw} twice: the points must differ";
                return null;
            }

            result.Add(new JsonArray(raw, reference));
        }

        return result;
    }
}
