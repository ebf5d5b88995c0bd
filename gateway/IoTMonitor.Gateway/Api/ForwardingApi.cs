using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Forwarding.Hj212;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary><c>GET /api/v1/forwarding/hj212</c>: per agency platform what was sent, answered, pending and refused (docs/forwarding.md).</summary>
public static class ForwardingApi
{
    public static IEndpointRouteBuilder MapForwardingApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/forwarding/hj212", (Hj212Forwarder forwarder) => Results.Ok(new { platforms = forwarder.Status() }))
            .WithTags("Forwarding").RequireApiRole(ApiRole.Operator);
        return app;
    }
}
