using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// The remote part of a device config (docs/config.md, keys marked "remote"; protocol §6): checked
/// with the firmware's ranges before anything is sent, and written in one canonical key order. The
/// node keeps only the last remote document it received, so the gateway always sends the whole
/// overlay, never a diff.
/// </summary>
public static class RemoteConfigOverlay
{
    /// <summary>Largest remote config the firmware takes (ConfigParser.MaxRemoteBytes); a larger one it refuses whole (TooLarge, 12).</summary>
    public const int MaxMessageBytes = 8192;

    /// <summary>Thresholds per config (the firmware's ConfigParser limit).</summary>
    public const int MaxThresholds = 16;

    private static readonly (string Key, long Min, long Max)[] Integers =
    [
        ("sampleSec", 10, 86400),
        ("uploadSec", 10, 604800),
        ("batchMax", 1, 200),
        ("maxAwakeSec", 5, 600),
        ("calMaxAgeDays", 0, 3650),
    ];

    public static IReadOnlyList<string> Keys { get; } = [.. Integers.Select(i => i.Key), "thresholds", "calibrations"];

    /// <summary>
    /// Checks an overlay (remote keys without <c>v</c>/<c>rev</c>) and returns it in canonical form,
    /// or null with <paramref name="error"/> naming the key and what it may be.
    /// </summary>
    public static JsonObject? Normalize(JsonObject overlay, out string? error)
    {
        error = null;
        foreach (var (key, _) in overlay)
        {
            if (key is "v" or "rev")
            {
                error = $"'{key}' is set by the gateway; send only the remote keys ({string.Join(", ", Keys)})";
                return null;
            }

            if (!Keys.Contains(key))
            {
                error = $"'{key}' is not a remote config key (allowed: {string.Join(", ", Keys)}; docs/config.md)";
                return null;
            }
        }

        var result = new JsonObject();
        foreach (var (key, min, max) in Integers)
        {
            if (!overlay.TryGetPropertyValue(key, out var node) || node is null)
            {
                continue;
            }

            if (!JsonNumbers.TryInteger(node, out var n) || n < min || n > max)
            {
                error = $"'{key}' must be an integer {min}–{max} (got {node.ToJsonString()})";
                return null;
            }

            result[key] = n;
        }

        if (overlay.TryGetPropertyValue("thresholds", out var th) && th is not null)
        {
            var thresholds = NormalizeThresholds(th, out error);
            if (thresholds is null)
            {
                return null;
            }

            result["thresholds"] = thresholds;
        }

        if (overlay.TryGetPropertyValue("calibrations", out var cal) && cal is not null)
        {
            var calibrations = RemoteCalibrations.Normalize(cal, out error);
            if (calibrations is null)
            {
                return null;
            }

            result["calibrations"] = calibrations;
        }

        if (Message(0, result).Length > MaxMessageBytes - 16)
        {
            // 16: room for the largest rev the gateway may still assign
            error = $"the config message would exceed the node's {MaxMessageBytes}-byte limit (docs/config.md \"Size\")";
            return null;
        }

        return result;
    }

    private static JsonArray? NormalizeThresholds(JsonNode node, out string? error)
    {
        error = null;
        if (node is not JsonArray array)
        {
            error = "'thresholds' must be an array of {\"q\": quantity, \"above\"?: number, \"below\"?: number}";
            return null;
        }

        if (array.Count > MaxThresholds)
        {
            error = $"'thresholds' may hold at most {MaxThresholds} entries (got {array.Count})";
            return null;
        }

        var result = new JsonArray();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject t)
            {
                error = $"'thresholds[{i}]' must be an object {{\"q\": quantity, \"above\"?: number, \"below\"?: number}}";
                return null;
            }

            foreach (var (key, _) in t)
            {
                if (key is not ("q" or "above" or "below"))
                {
                    error = $"'thresholds[{i}].{key}' is not a threshold key (allowed: q, above, below)";
                    return null;
                }
            }

            var q = t["q"] is JsonValue qv && qv.GetValueKind() == JsonValueKind.String ? qv.GetValue<string>() : null;
            if (q is null || Quantities.Find(q) is null)
            {
                error = $"'thresholds[{i}].q' must be a quantity of the vocabulary (GET /api/v1/quantities; got {t["q"]?.ToJsonString() ?? "nothing"})";
                return null;
            }

            var entry = new JsonObject { ["q"] = q };
            foreach (var bound in new[] { "above", "below" })
            {
                if (!t.TryGetPropertyValue(bound, out var b) || b is null)
                {
                    continue;
                }

                if (!JsonNumbers.TryFinite(b, out var value))
                {
                    error = $"'thresholds[{i}].{bound}' must be a number (got {b.ToJsonString()})";
                    return null;
                }

                entry[bound] = value;
            }

            if (entry.Count == 1)
            {
                error = $"'thresholds[{i}]' needs 'above', 'below' or both";
                return null;
            }

            result.Add(entry);
        }

        return result;
    }

    /// <summary>JSON merge-patch (RFC 7396) of <paramref name="patch"/> onto <paramref name="current"/>: null removes a key, arrays are replaced whole.</summary>
    public static JsonObject Merge(JsonObject current, JsonObject patch)
    {
        var merged = (JsonObject)current.DeepClone();
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value.DeepClone();
            }
        }

        return merged;
    }

    /// <summary>The retained <c>config</c> message: <c>{"v":1,"rev":N,…overlay}</c>.</summary>
    public static byte[] Message(long rev, JsonObject overlay)
    {
        var message = new JsonObject { ["v"] = 1, ["rev"] = rev };
        foreach (var (key, value) in overlay)
        {
            message[key] = value?.DeepClone();
        }

        return JsonSerializer.SerializeToUtf8Bytes(message);
    }
}
