using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IoTMonitor.Gateway.Query;
using Microsoft.AspNetCore.Http;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// Writes a <see cref="SeriesResponse"/> straight to the response body with a <see cref="Utf8JsonWriter"/>
/// (no intermediate objects per point), flushing every 64 KiB. Adds <c>Server-Timing</c> (database and
/// total gateway time) and <c>X-Series-Source</c> (influx, raw or rollup) for diagnostics.
/// </summary>
internal sealed class SeriesJson(SeriesResponseHead head, List<SeriesResult> series, SeriesSource source, long started, double dbMs) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers["X-Series-Source"] = source.ToString().ToLowerInvariant();
        response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"db;dur={dbMs:0.0}, app;dur={Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0}");
        var body = response.BodyWriter;
        await using var json = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartObject();
        json.WriteString("quantity", head.Quantity);
        json.WriteString("unit", head.Unit);
        json.WriteString("agg", head.Agg);
        json.WriteString("window", head.Window);
        json.WriteNumber("windowSeconds", head.WindowSeconds);
        json.WriteNumber("from", head.From);
        json.WriteNumber("to", head.To);
        json.WriteStartArray("series");
        foreach (var s in series)
        {
            json.WriteStartObject();
            json.WriteString("site", s.Site);
            json.WriteString("device", s.Device);
            json.WriteStartArray("points");
            foreach (var p in s.Points)
            {
                json.WriteStartArray();
                json.WriteNumberValue(p.T);
                json.WriteNumberValue(p.Value);
                json.WriteEndArray();
                if (json.BytesPending > 65536)
                {
                    await json.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("thresholds");
        foreach (var t in head.Thresholds)
        {
            json.WriteStartObject();
            json.WriteString("label", t.Label);
            json.WriteNumber("value", t.Value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>Everything of a series answer but the points.</summary>
internal sealed record SeriesResponseHead(string Quantity, string Unit, string Agg, string Window, long WindowSeconds, long From, long To, IReadOnlyList<Threshold> Thresholds);
