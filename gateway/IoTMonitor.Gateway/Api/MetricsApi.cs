using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// <c>GET /metrics</c>: every stage's lines in the Prometheus text format (0.0.4). Each stage
/// registers its own <see cref="IStageMetrics"/>; this endpoint only writes them in registration order.
/// </summary>
public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (IEnumerable<IStageMetrics> stages) => Results.Text(Render(stages), PrometheusText.ContentType)).RequireApiRole(ApiRole.Operator);
        return app;
    }

    public static string Render(IEnumerable<IStageMetrics> stages)
    {
        var text = new PrometheusText();
        foreach (var stage in stages)
        {
            stage.WriteTo(text);
        }

        return text.ToString();
    }
}
