using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary>Body of ack / resolve; both optional. <c>by</c> names the person when a key is shared (the key's name is always recorded).</summary>
public sealed record AlertActionRequest(string? By, string? Note);

/// <summary>
/// The alert endpoints, on the API's access model (<see cref="ApiAccess"/>: key in <c>X-Api-Key</c> or
/// <c>Authorization: Bearer</c>; <c>Api:AdminKey</c> is the bootstrap admin). The alert engine's SQLite
/// store is the only source of alerts.
/// <code>
///   viewer    GET    /api/v1/alerts?state=active|open|acknowledged|resolved&amp;site=&amp;device=&amp;rule=&amp;from=&amp;to=&amp;limit=
///   viewer    GET    /api/v1/alerts/{id}            the alert and its history (events); admins also get its notifications
///   viewer    GET    /api/v1/alert-rules            GET /api/v1/alert-rules/{id}
///   operator  POST   /api/v1/alerts/{id}/ack        {"by": "...", "note": "..."} (both optional)
///   operator  POST   /api/v1/alerts/{id}/resolve    {"by": "...", "note": "..."}
///   admin     GET    /api/v1/alerts/outbox?status=pending|sent|failed|cancelled
///   admin     POST   /api/v1/alert-rules            PUT|DELETE /api/v1/alert-rules/{id}
/// </code>
/// With <c>Alerts:Enabled=false</c> every one of them answers 503 (after the key check).
/// </summary>
public static class AlertsApi
{
    /// <summary>Most alerts or notifications one list request returns.</summary>
    public const int MaxLimit = 10_000;

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Alerts");
        var viewer = api.MapGroup(string.Empty).RequireApiRole(ApiRole.Viewer).AddEndpointFilter(EngineStarted);
        var op = api.MapGroup(string.Empty).RequireApiRole(ApiRole.Operator).AddEndpointFilter(EngineStarted);
        var admin = api.MapGroup(string.Empty).RequireApiRole(ApiRole.Admin).AddEndpointFilter(EngineStarted);

        viewer.MapGet("/alerts", (AlertsService a, string? state, string? site, string? device, string? rule, string? from, string? to, string? limit) =>
        {
            if (state is not (null or "active" or AlertStates.Open or AlertStates.Acknowledged or AlertStates.Resolved))
            {
                return BadRequest($"state must be active, open, acknowledged or resolved (got '{state}')");
            }

            try
            {
                var query = new AlertQuery(
                    state,
                    QueryParameters.OptionalId(site, "site"),
                    QueryParameters.OptionalId(device, "device"),
                    rule,
                    QueryParameters.OptionalTime(from, "from"),
                    QueryParameters.OptionalTime(to, "to"),
                    QueryParameters.Limit(limit, 200, MaxLimit));
                if (query.From >= query.To)
                {
                    return BadRequest("from must be before to");
                }

                return Results.Json(a.Store.ListAlerts(query), AlertRule.Json);
            }
            catch (BadQueryException e)
            {
                return BadRequest(e.Message);
            }
        }).WithSummary($"Alerts, newest first (every state unless state= is given; active = open or acknowledged). Filters: site, device, rule, from, to (detection time: ISO 8601 or Unix seconds), limit (1–{MaxLimit}, default 200).");

        admin.MapGet("/alerts/outbox", (AlertsService a, string? status, string? limit) =>
        {
            if (status is not (null or "pending" or "sent" or "failed" or "cancelled"))
            {
                return BadRequest($"status must be pending, sent, failed or cancelled (got '{status}')");
            }

            try
            {
                return Results.Json(a.Store.Outbox(null, status, QueryParameters.Limit(limit, 500, MaxLimit)), AlertRule.Json);
            }
            catch (BadQueryException e)
            {
                return BadRequest(e.Message);
            }
        }).WithSummary($"Notifications with their delivery state (admin: they name recipients); status pending|sent|failed|cancelled, limit 1–{MaxLimit} (default 500).");

        viewer.MapGet("/alerts/{id}", (AlertsService a, string id, HttpContext http) =>
        {
            var alert = a.Store.GetAlert(id);
            if (alert is null)
            {
                return Results.Problem($"alert {id} does not exist", statusCode: StatusCodes.Status404NotFound);
            }

            var events = a.Store.Events(id);
            if (http.Principal()!.Role < ApiRole.Admin)
            {
                return Results.Json(new { alert, events }, AlertRule.Json);
            }

            var notifications = a.Store.Outbox(id).Select(o => new { entry = o, attempts = a.Store.Attempts(o.Id) });
            return Results.Json(new { alert, events, notifications }, AlertRule.Json);
        }).WithSummary("One alert with its history (events); for admins also its notifications and delivery attempts.");

        op.MapPost("/alerts/{id}/ack", (AlertsService a, string id, HttpContext http, AlertActionRequest? body) =>
        {
            var alert = a.Engine.Acknowledge(id, Who(http, body), body?.Note);
            return alert is null ? Conflict(a, id, "open") : Results.Json(alert, AlertRule.Json);
        }).WithSummary("Acknowledges an open alert (operator); 409 when it is not open.");

        op.MapPost("/alerts/{id}/resolve", (AlertsService a, string id, HttpContext http, AlertActionRequest? body) =>
        {
            var alert = a.Engine.Resolve(id, Who(http, body), body?.Note);
            return alert is null ? Conflict(a, id, "open or acknowledged") : Results.Json(alert, AlertRule.Json);
        }).WithSummary("Resolves an open or acknowledged alert by hand (operator); 409 when it is resolved already.");

        viewer.MapGet("/alert-rules", (AlertsService a) => Results.Json(a.Store.LoadRules().Select(r => new { rule = r.Rule, origin = r.Origin }), AlertRule.Json))
            .WithSummary("Alert rules with their origin (rule pack or api).");

        viewer.MapGet("/alert-rules/{id}", (AlertsService a, string id) =>
        {
            var found = a.Store.LoadRules().FirstOrDefault(r => r.Rule.Id == id);
            return found.Rule is null ? Results.Problem($"rule '{id}' does not exist", statusCode: StatusCodes.Status404NotFound) : Results.Json(new { rule = found.Rule, origin = found.Origin }, AlertRule.Json);
        }).WithSummary("One alert rule.");

        admin.MapPost("/alert-rules", async (AlertsService a, HttpRequest request) =>
        {
            var rule = await request.ReadFromJsonAsync<AlertRule>(AlertRule.Json).ConfigureAwait(false);
            if (rule is not null && a.Store.LoadRules().Any(r => r.Rule.Id == rule.Id))
            {
                return Results.Problem($"rule '{rule.Id}' exists: PUT /api/v1/alert-rules/{rule.Id} to change it", statusCode: StatusCodes.Status409Conflict);
            }

            return Save(a, rule, created: true);
        }).WithSummary("Creates a rule (admin; docs/alerts.md has the shape).");

        admin.MapPut("/alert-rules/{id}", async (AlertsService a, string id, HttpRequest request) =>
        {
            var rule = await request.ReadFromJsonAsync<AlertRule>(AlertRule.Json).ConfigureAwait(false);
            if (rule is not null)
            {
                rule.Id = id;
            }

            return Save(a, rule, created: false);
        }).WithSummary("Creates or replaces a rule (admin); it then survives rule-pack reloads.");

        admin.MapDelete("/alert-rules/{id}", (AlertsService a, string id) =>
        {
            if (!a.Store.DeleteRule(id, DateTimeOffset.UtcNow))
            {
                return Results.Problem($"rule '{id}' does not exist", statusCode: StatusCodes.Status404NotFound);
            }

            a.Engine.ReloadRules();
            return Results.NoContent();
        }).WithSummary("Deletes a rule (admin).");

        return app;
    }

    private static async ValueTask<object?> EngineStarted(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var alerts = (AlertsService)context.HttpContext.RequestServices.GetService(typeof(AlertsService))!;
        if (!alerts.Started)
        {
            return Results.Problem("alerts are disabled (Alerts:Enabled) or not started", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return await next(context).ConfigureAwait(false);
    }

    /// <summary>The key's name is always recorded; a name given in the body is kept beside it.</summary>
    private static string Who(HttpContext http, AlertActionRequest? body)
    {
        var key = http.Principal()!.Name;
        var by = body?.By?.Trim();
        return string.IsNullOrEmpty(by) || by == key ? key : $"{by} (key {key})";
    }

    private static IResult BadRequest(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    private static IResult Conflict(AlertsService a, string id, string wanted) =>
        a.Store.GetAlert(id) is { } existing
            ? Results.Problem($"alert {id} is {existing.State}, not {wanted}", statusCode: StatusCodes.Status409Conflict)
            : Results.Problem($"alert {id} does not exist", statusCode: StatusCodes.Status404NotFound);

    private static IResult Save(AlertsService a, AlertRule? rule, bool created)
    {
        if (rule is null)
        {
            return Results.Problem("body must be a rule (docs/alerts.md)", statusCode: StatusCodes.Status400BadRequest);
        }

        var errors = rule.Validate().ToList();
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["rule"] = errors.ToArray() });
        }

        a.Store.PutRule(rule, DateTimeOffset.UtcNow);
        a.Engine.ReloadRules();
        return created ? Results.Json(rule, AlertRule.Json, statusCode: StatusCodes.Status201Created) : Results.Json(rule, AlertRule.Json);
    }
}
