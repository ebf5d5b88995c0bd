using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// <c>GET /api/v1/devices/{device}/status</c> (docs/api.md): the node's newest state and its newest
/// <c>online</c> status as received since the gateway started: firmware, boot counter, the config hash
/// in force and the config error code. <c>iotmon flash --verify</c> compares the hash with the file it flashed.
/// </summary>
public static class NodeStatusApi
{
    public static IEndpointRouteBuilder MapNodeStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/devices/{device}/status", (string device, DeviceRegistry registry, NodeStatusBook statuses) =>
        {
            if (registry.FindDevice(device) is null)
            {
                return Results.Problem($"device '{device}' is not registered", statusCode: StatusCodes.Status404NotFound, title: "Not Found");
            }

            if (statuses.Of(device) is not { } s)
            {
                return Results.Problem($"device '{device}' has sent no status since the gateway started", statusCode: StatusCodes.Status404NotFound, title: "No status");
            }

            return Results.Ok(new
            {
                device,
                state = s.State,
                at = s.At,
                online = s.Online is { } o ? new { site = o.Site, fw = o.Fw, boot = o.Boot, cfg = o.Cfg, cfgErr = o.CfgErr, rst = o.Rst, clk = o.Clk, at = o.At } : null,
            });
        }).WithTags("Remote config and commands").RequireApiRole(ApiRole.Viewer);
        return app;
    }
}
