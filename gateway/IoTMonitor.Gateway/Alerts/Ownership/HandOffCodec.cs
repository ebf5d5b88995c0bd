using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Engine;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Alerts.Ownership;

/// <summary>
/// A batch or status handed to another replica, as the body of its <c>alert_handoff</c> row: a batch
/// as <c>{"b":battery,"h":healthTime,"r":[[n,t,"quantity",value,flags,raw,index],…]}</c>, a status as
/// <c>{"p":"base64 of the retained payload"}</c>. Only what evaluation reads is kept.
/// </summary>
internal static class HandOffCodec
{
    public static string Encode(in Work work)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (work.Kind == WorkKind.Status)
            {
                w.WriteBase64String("p", work.Payload.Span);
            }
            else
            {
                w.WritePropertyName("b");
                Nullable(w, double.IsFinite(work.Battery) ? work.Battery : null);
                w.WriteNumber("h", work.HealthTime);
                w.WriteStartArray("r");
                foreach (var r in work.Readings!)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(r.N);
                    w.WriteNumberValue(r.T);
                    w.WriteStringValue(r.Quantity.Code);
                    Nullable(w, r.Value);
                    w.WriteNumberValue(r.Flags);
                    Nullable(w, r.Raw);
                    w.WriteNumberValue(r.Index);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static Work Decode(long id, WorkKind kind, string site, string device, long boot, string body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        if (kind == WorkKind.Status)
        {
            return Work.ForStatus(site, device, root.GetProperty("p").GetBytesFromBase64()) with { HandOff = id };
        }

        var rows = root.GetProperty("r");
        var readings = new Reading[rows.GetArrayLength()];
        var i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            var code = row[2].GetString();
            readings[i++] = new Reading
            {
                N = row[0].GetInt64(),
                T = row[1].GetInt64(),
                Quantity = Quantities.Find(code) ?? throw new FormatException($"hand-off {id}: '{code}' is not a protocol quantity"),
                Value = row[3].ValueKind == JsonValueKind.Null ? null : row[3].GetDouble(),
                Flags = row[4].GetInt64(),
                Raw = row[5].ValueKind == JsonValueKind.Null ? null : row[5].GetDouble(),
                Index = row[6].GetInt32(),
            };
        }

        return Work.ForBatch(site, device, boot, readings, root.GetProperty("b") is { ValueKind: JsonValueKind.Number } b ? b.GetDouble() : double.NaN, root.GetProperty("h").GetInt64()) with { HandOff = id };
    }

    private static void Nullable(Utf8JsonWriter w, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumberValue(v);
        }
        else
        {
            w.WriteNullValue();
        }
    }
}
