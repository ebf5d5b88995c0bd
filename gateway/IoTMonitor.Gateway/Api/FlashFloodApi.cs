using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// A watched site's flash-flood state (docs/api.md, "Flash-flood state"): its warning level now,
/// the rainfall sums of every duration at its newest reading beside its critical values, and the
/// rain increments of a period (the hyetograph the dashboard draws).
/// <code>
///   viewer  GET /api/v1/sites/{site}/flood?from=&amp;to=      (default: the last 24 h; at most 7 days)
/// </code>
/// </summary>
public static class FlashFloodApi
{
    public static IEndpointRouteBuilder MapFlashFloodApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/sites/{site}/flood", (AlertsService a, string site, string? from, string? to) =>
        {
            if (!a.Started)
            {
                return Results.Problem("alerts are disabled (Alerts:Enabled) or not started", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            try
            {
                QueryParameters.Id(site, "site");
                var end = QueryParameters.OptionalTime(to, "to") ?? DateTimeOffset.UtcNow;
                var start = QueryParameters.OptionalTime(from, "from") ?? end.AddHours(-24);
                if (start >= end || end - start > TimeSpan.FromDays(7))
                {
                    return Results.Problem("from must be before to, at most 7 days apart", statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
                }

                return a.Engine.Flood(site, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds()) is { } snapshot
                    ? Results.Ok(snapshot)
                    : Results.Problem($"site {site} has no flash-flood warning config (Alerts:FlashFlood:Sites)", statusCode: StatusCodes.Status404NotFound);
            }
            catch (BadQueryException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }
        }).RequireApiRole(ApiRole.Viewer).WithTags("Alerts").WithSummary("A watched site's flash-flood level, rainfall sums and increments (viewer).");
        return app;
    }
}
