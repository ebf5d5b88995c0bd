using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// Reads numbers from request nodes whatever backs them: a JsonValue parsed from text and one
/// built from a CLR int answer TryGetValue differently, so both go through their JSON form.
/// </summary>
internal static class JsonNumbers
{
    /// <summary>An integral JSON number (<c>900</c>; not <c>900.5</c>, not <c>"900"</c>).</summary>
    public static bool TryInteger(JsonNode? node, out long value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && JsonSerializer.SerializeToElement(v).TryGetInt64(out value);
    }

    /// <summary>A finite JSON number.</summary>
    public static bool TryFinite(JsonNode? node, out double value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && JsonSerializer.SerializeToElement(v).TryGetDouble(out value) && double.IsFinite(value);
    }
}
