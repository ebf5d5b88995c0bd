using System.Text.Json;
using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// <c>GET /health</c> from the stages' own checks (<see cref="StageHealth"/>): one object per stage
/// (broker, WAL, InfluxDB, dead letters) with its figures, the warnings, and
/// <c>status</c>: <c>ok</c>/<c>warning</c> (200) or <c>degraded</c> (503) when a stage is unhealthy;
/// only <c>{"status":"starting"}</c> (503) before the listener takes messages.
/// </summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = WriteAsync,
            // the writer decides; these only keep the framework's defaults from answering first
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        if (report.Entries.TryGetValue(StartedHealthCheck.Name, out var started) && started.Status != HealthStatus.Healthy)
        {
            return Answer(context, new Dictionary<string, object> { ["status"] = "starting" }, StatusCodes.Status503ServiceUnavailable);
        }

        var problems = new List<string>();
        var notes = new List<string>();
        var stages = new Dictionary<string, object>();
        var healthy = true;
        foreach (var (name, entry) in report.Entries)
        {
            if (name == StartedHealthCheck.Name)
            {
                continue;
            }

            if (entry.Status == HealthStatus.Unhealthy)
            {
                healthy = false;
                problems.Add(entry.Description ?? entry.Exception?.Message ?? name + " unhealthy");
            }

            var figures = new Dictionary<string, object>();
            foreach (var (key, value) in entry.Data)
            {
                if (key == StageHealth.WarningsKey && value is IEnumerable<string> warnings)
                {
                    notes.AddRange(warnings);
                }
                else
                {
                    figures[key] = value;
                }
            }

            stages[name] = figures;
        }

        problems.AddRange(notes);
        var body = new Dictionary<string, object> { ["status"] = healthy ? (problems.Count == 0 ? "ok" : "warning") : "degraded" };
        foreach (var (name, figures) in stages)
        {
            body[name] = figures;
        }

        body["warnings"] = problems;
        return Answer(context, body, healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static Task Answer(HttpContext context, Dictionary<string, object> body, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
