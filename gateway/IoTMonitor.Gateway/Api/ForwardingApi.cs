using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Forwarding.Hj212;
using IoTMonitor.Gateway.Forwarding.Sl651;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary><c>GET /api/v1/forwarding/hj212</c> and <c>/sl651</c>: per agency platform what was sent, answered, pending and refused (docs/forwarding.md).</summary>
public static class ForwardingApi
{
    public static IEndpointRouteBuilder MapForwardingApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/forwarding/hj212", (Hj212Forwarder forwarder) => Results.Ok(new { platforms = forwarder.Status() }))
            .WithTags("Forwarding").RequireApiRole(ApiRole.Operator);
        app.MapGet("/api/v1/forwarding/sl651", (Sl651Forwarder forwarder) => Results.Ok(new { platforms = forwarder.Status() }))
            .WithTags("Forwarding").RequireApiRole(ApiRole.Operator);
        return app;
    }
}
