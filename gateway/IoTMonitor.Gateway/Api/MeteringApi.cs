using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Metering;
using IoTMonitor.Gateway.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// Water volumes per district, channel, site and period (docs/api.md "Water metering"):
/// <code>
///   viewer  GET /api/v1/metering/districts                       the districts, their channels, sites, allocations and deliveries
///   viewer  GET /api/v1/metering/districts/{district}/volumes?from=&amp;to=&amp;period=hour|day|season
///   viewer  GET /api/v1/metering/districts/{district}/volumes.csv?…   (the same as CSV)
/// </code>
/// Default range: the last 24 h; at most 366 days. Each total carries its completeness.
/// </summary>
public static class MeteringApi
{
    public static IEndpointRouteBuilder MapMeteringApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/metering/districts", (MeteringService m) => Results.Ok(Districts(m.Options)))
            .RequireApiRole(ApiRole.Viewer).WithTags("Metering").WithSummary("The configured districts with their channels, metered sites, allocations and scheduled deliveries (viewer).");
        app.MapGet("/api/v1/metering/districts/{district}/volumes", (MeteringService m, HttpRequest request, string district, CancellationToken ct) =>
            AnswerAsync(m, request, district, csv: false, ct))
            .RequireApiRole(ApiRole.Viewer).WithTags("Metering").WithSummary("Volumes per channel and site of a district per hour, day or season, with completeness (viewer).");
        app.MapGet("/api/v1/metering/districts/{district}/volumes.csv", (MeteringService m, HttpRequest request, string district, CancellationToken ct) =>
            AnswerAsync(m, request, district, csv: true, ct))
            .RequireApiRole(ApiRole.Viewer).WithTags("Metering").WithSummary("The district's volumes as CSV (viewer).");
        return app;
    }

    private static IEnumerable<object> Districts(MeteringOptions o) =>
        o.Districts.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => new
        {
            id = d.Key,
            name = d.Value.Name,
            channels = d.Value.Channels.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new
            {
                id = c.Key,
                name = c.Value.Name,
                sites = c.Value.Sites,
                allocations = c.Value.Allocations.Select(a => new { id = a.Id, from = a.From, to = a.To, volume = a.Volume }),
                deliveries = c.Value.Deliveries.Select(x => new { from = x.From, to = x.To, minFlow = x.MinFlow }),
            }),
        });

    private static async Task<IResult> AnswerAsync(MeteringService m, HttpRequest request, string district, bool csv, CancellationToken ct)
    {
        try
        {
            QueryParameters.Id(district, "district");
            var q = request.Query;
            var end = QueryParameters.OptionalTime(q["to"], "to") ?? DateTimeOffset.UtcNow;
            var start = QueryParameters.OptionalTime(q["from"], "from") ?? end.AddHours(-24);
            var period = string.IsNullOrEmpty(q["period"]) ? "day" : q["period"].ToString();
            if (start >= end || end - start > TimeSpan.FromDays(366))
            {
                return Results.Problem("from must be before to, at most 366 days apart", statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }

            if (period is not ("hour" or "day" or "season"))
            {
                return Results.Problem("period must be hour, day or season", statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }

            var volumes = await m.DistrictAsync(district, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds(), period, ct).ConfigureAwait(false);
            if (volumes is null)
            {
                return Results.Problem($"district {district} is not configured (Metering:Districts)", statusCode: StatusCodes.Status404NotFound);
            }

            return csv
                ? Results.Text(VolumeCsv.Write(volumes), "text/csv; charset=utf-8")
                : Results.Ok(volumes);
        }
        catch (BadQueryException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }
        catch (ArgumentException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }
        catch (MeteringException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Metering configuration");
        }
        catch (InfluxQueryException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway, title: "InfluxDB failed");
        }
    }
}
