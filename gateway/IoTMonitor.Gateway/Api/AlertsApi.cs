using System.Security.Cryptography;
using System.Text;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Alerts.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

public sealed record AlertActionRequest(string? By, string? Note);

/// <summary>
/// Alert endpoints, protected by <c>Api:AdminKey</c> (header <c>X-Api-Key</c>) like the registry's:
/// <code>
///   GET    /api/v1/alerts?state=active|open|acknowledged|resolved&amp;site=&amp;device=&amp;rule=&amp;from=&amp;to=&amp;limit=
///   GET    /api/v1/alerts/{id}                 the alert, its events and its notifications with attempts
///   POST   /api/v1/alerts/{id}/ack             {"by": "...", "note": "..."}
///   POST   /api/v1/alerts/{id}/resolve         {"by": "...", "note": "..."}
///   GET    /api/v1/alerts/outbox?status=pending|sent|failed|cancelled
///   GET    /api/v1/alert-rules                 GET|PUT|DELETE /api/v1/alert-rules/{id}, POST /api/v1/alert-rules
/// </code>
/// </summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").AddEndpointFilter(async (context, next) =>
        {
            var gw = (GatewayRuntime)context.HttpContext.RequestServices.GetService(typeof(GatewayRuntime))!;
            var alerts = (AlertsService)context.HttpContext.RequestServices.GetService(typeof(AlertsService))!;
            var key = gw.Settings.Api.AdminKey;
            if (key.Length == 0)
            {
                return Results.Problem("alert endpoints are disabled: set Api:AdminKey", statusCode: 403);
            }

            var given = context.HttpContext.Request.Headers["X-Api-Key"].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key)))
            {
                return Results.Unauthorized();
            }

            if (!alerts.Started)
            {
                return Results.Problem("alerts are disabled (Alerts:Enabled) or not started", statusCode: 503);
            }

            return await next(context).ConfigureAwait(false);
        });

        group.MapGet("/alerts", (AlertsService a, string? state, string? site, string? device, string? rule, DateTimeOffset? from, DateTimeOffset? to, int? limit) =>
        {
            if (state is not (null or "active" or AlertStates.Open or AlertStates.Acknowledged or AlertStates.Resolved))
            {
                return Results.Problem("state must be active, open, acknowledged or resolved", statusCode: 400);
            }

            return Results.Json(a.Store.ListAlerts(new AlertQuery(state, site, device, rule, from, to, limit ?? 200)), AlertRule.Json);
        });

        group.MapGet("/alerts/outbox", (AlertsService a, string? status, int? limit) =>
            Results.Json(a.Store.Outbox(null, status, limit ?? 500), AlertRule.Json));

        group.MapGet("/alerts/{id}", (AlertsService a, string id) =>
        {
            var alert = a.Store.GetAlert(id);
            if (alert is null)
            {
                return Results.NotFound();
            }

            var notifications = a.Store.Outbox(id).Select(o => new { entry = o, attempts = a.Store.Attempts(o.Id) });
            return Results.Json(new { alert, events = a.Store.Events(id), notifications }, AlertRule.Json);
        });

        group.MapPost("/alerts/{id}/ack", (AlertsService a, string id, AlertActionRequest? body) =>
        {
            var alert = a.Engine.Acknowledge(id, Who(body), body?.Note);
            return alert is null ? Conflict(a, id, "open") : Results.Json(alert, AlertRule.Json);
        });

        group.MapPost("/alerts/{id}/resolve", (AlertsService a, string id, AlertActionRequest? body) =>
        {
            var alert = a.Engine.Resolve(id, Who(body), body?.Note);
            return alert is null ? Conflict(a, id, "open or acknowledged") : Results.Json(alert, AlertRule.Json);
        });

        group.MapGet("/alert-rules", (AlertsService a) => Results.Json(a.Store.LoadRules().Select(r => new { rule = r.Rule, origin = r.Origin }), AlertRule.Json));

        group.MapGet("/alert-rules/{id}", (AlertsService a, string id) =>
        {
            var found = a.Store.LoadRules().FirstOrDefault(r => r.Rule.Id == id);
            return found.Rule is null ? Results.NotFound() : Results.Json(new { rule = found.Rule, origin = found.Origin }, AlertRule.Json);
        });

        group.MapPost("/alert-rules", async (AlertsService a, HttpRequest request) =>
        {
            var rule = await request.ReadFromJsonAsync<AlertRule>(AlertRule.Json).ConfigureAwait(false);
            if (rule is not null && a.Store.LoadRules().Any(r => r.Rule.Id == rule.Id))
            {
                return Results.Problem($"rule '{rule.Id}' exists: PUT /api/v1/alert-rules/{rule.Id} to change it", statusCode: 409);
            }

            return Save(a, rule, created: true);
        });

        group.MapPut("/alert-rules/{id}", async (AlertsService a, string id, HttpRequest request) =>
        {
            var rule = await request.ReadFromJsonAsync<AlertRule>(AlertRule.Json).ConfigureAwait(false);
            if (rule is not null)
            {
                rule.Id = id;
            }

            return Save(a, rule, created: false);
        });

        group.MapDelete("/alert-rules/{id}", (AlertsService a, string id) =>
        {
            if (!a.Store.DeleteRule(id, DateTimeOffset.UtcNow))
            {
                return Results.NotFound();
            }

            a.Engine.ReloadRules();
            return Results.NoContent();
        });

        return app;
    }

    private static string Who(AlertActionRequest? body) => string.IsNullOrWhiteSpace(body?.By) ? "api" : body.By.Trim();

    private static IResult Conflict(AlertsService a, string id, string wanted) =>
        a.Store.GetAlert(id) is { } existing
            ? Results.Problem($"alert {id} is {existing.State}, not {wanted}", statusCode: 409)
            : Results.NotFound();

    private static IResult Save(AlertsService a, AlertRule? rule, bool created)
    {
        if (rule is null)
        {
            return Results.Problem("body must be a rule (docs/alerts.md)", statusCode: 400);
        }

        var errors = rule.Validate().ToList();
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["rule"] = errors.ToArray() });
        }

        a.Store.PutRule(rule, DateTimeOffset.UtcNow);
        a.Engine.ReloadRules();
        return created ? Results.Json(rule, AlertRule.Json, statusCode: 201) : Results.Json(rule, AlertRule.Json);
    }
}
