using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

public sealed record CreateSiteRequest(string Id, string? Name);

public sealed record CreateDeviceRequest(string Id, string Site);

/// <summary>
/// Registry endpoints, behind API keys with roles (admin to add, viewer to list):
/// <c>POST /api/v1/sites</c>, <c>POST /api/v1/devices</c> (returns the generated secret once) and
/// <c>GET /api/v1/devices</c>.
/// </summary>
public static class RegistryApi
{
    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        // keys and roles: Access/ApiAccess.cs (Api:AdminKey still works, as a bootstrap admin key)
        var group = app.MapGroup("/api/v1").WithTags("Registry");

        group.MapPost("/sites", (CreateSiteRequest request, DeviceRegistry registry) =>
        {
            try
            {
                var site = registry.AddSite(request.Id, request.Name);
                return Results.Created($"/api/v1/sites/{site.Id}", new { id = site.Id, name = site.Name });
            }
            catch (ArgumentException e)
            {
                return Results.Problem(e.Message, statusCode: 400);
            }
        }).RequireApiRole(ApiRole.Admin);

        group.MapPost("/devices", (CreateDeviceRequest request, DeviceRegistry registry) =>
        {
            try
            {
                var (device, secret) = registry.AddDevice(request.Id, request.Site);
                return Results.Created($"/api/v1/devices/{device.Id}", new { id = device.Id, site = device.SiteId, secret });
            }
            catch (ArgumentException e)
            {
                return Results.Problem(e.Message, statusCode: 400);
            }
            catch (InvalidOperationException e)
            {
                return Results.Problem(e.Message, statusCode: 409);
            }
        }).RequireApiRole(ApiRole.Admin);

        group.MapGet("/devices", (DeviceRegistry registry, Ledger ledger, DownlinkService downlink) =>
        {
            var list = new List<object>();
            foreach (var d in registry.ListDevices())
            {
                var l = ledger.For(d.SiteId, d.Id);
                list.Add(new
                {
                    id = d.Id,
                    site = d.SiteId,
                    enabled = d.Enabled,
                    created = d.Created,
                    lastSeen = l.LastSeen == default ? (DateTimeOffset?)null : l.LastSeen,
                    boot = l.Boot,
                    highestSequence = l.HighestSequence,
                    gaps = l.Gaps.Select(g => new[] { g.From, g.To }),
                    duplicates = l.Duplicates,
                    battery = l.Battery,
                    rssi = l.Rssi,
                    cellular = l.Cellular is { } c ? new { @operator = c.Operator, act = c.AccessTech, rsrp = c.Rsrp, iccid = c.Iccid } : null,
                    config = DownlinkApi.ConfigSummary(downlink.Store.ConfigOf(d.Id)),
                });
            }

            return Results.Ok(list);
        }).RequireApiRole(ApiRole.Viewer);
        return app;
    }
}
