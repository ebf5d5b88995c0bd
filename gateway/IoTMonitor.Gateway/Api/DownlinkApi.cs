using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Query;
using IoTMonitor.Gateway.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// Remote config and commands of one device (docs/api.md "Remote config and commands"): operators
/// write, viewers read. Every write is checked with the firmware's rules first (400 naming the key
/// and its range), stored, then published; 202 because the node applies it only when it next connects (an upload wake).
/// </summary>
public static class DownlinkApi
{
    public static IEndpointRouteBuilder MapDownlinkApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/devices/{device}").WithTags("Remote config and commands");

        group.MapGet("/config", (string device, DeviceRegistry registry, DownlinkService downlink) =>
            registry.FindDevice(device) is { } d ? Results.Ok(ConfigDocument(d, downlink.Store.ConfigOf(d.Id))) : NoDevice(device))
            .RequireApiRole(ApiRole.Viewer);

        group.MapPut("/config", (string device, HttpContext http, DeviceRegistry registry, DownlinkService downlink, CancellationToken ct) =>
            ChangeConfigAsync(device, http, registry, downlink, (_, body) => body, ct))
            .Accepts<JsonObject>("application/json")
            .WithSummary("Replace the remote overlay (sampleSec, uploadSec, batchMax, maxAwakeSec, thresholds); publishes it as the next revision")
            .RequireApiRole(ApiRole.Operator);

        group.MapPatch("/config", (string device, HttpContext http, DeviceRegistry registry, DownlinkService downlink, CancellationToken ct) =>
            ChangeConfigAsync(device, http, registry, downlink, RemoteConfigOverlay.Merge, ct))
            .Accepts<JsonObject>("application/merge-patch+json", "application/json")
            .WithSummary("Merge into the remote overlay (JSON merge-patch: null removes a key); publishes the whole overlay as the next revision")
            .RequireApiRole(ApiRole.Operator);

        group.MapDelete("/config", (string device, HttpContext http, DeviceRegistry registry, DownlinkService downlink, CancellationToken ct) =>
            ChangeConfigAsync(device, http, registry, downlink, (_, _) => new JsonObject(), ct, readBody: false)).RequireApiRole(ApiRole.Operator);

        group.MapPost("/commands", async (string device, HttpContext http, DeviceRegistry registry, DownlinkService downlink, CancellationToken ct) =>
        {
            if (registry.FindDevice(device) is not { } d)
            {
                return NoDevice(device);
            }

            var (body, bodyError) = await ReadObjectAsync(http, ct).ConfigureAwait(false);
            if (body is null)
            {
                return BadRequest(bodyError!);
            }

            var request = CommandRequest.Parse(body, out var error);
            if (request is null)
            {
                return BadRequest(error!);
            }

            try
            {
                var record = await downlink.SendCommandAsync(d, request, By(http), ct).ConfigureAwait(false);
                return Results.Json(CommandDocument(record), statusCode: StatusCodes.Status202Accepted);
            }
            catch (DownlinkUnavailableException e)
            {
                return Results.Problem($"the command was not sent (stored as unsent): {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Broker unavailable");
            }
        })
            .Accepts<JsonObject>("application/json")
            .WithSummary("Send a command {cmd, sec?, confirm?}: sample_now, upload_now, reboot, clear_queue (confirm), set_interval (sec), time_sync")
            .RequireApiRole(ApiRole.Operator);

        group.MapGet("/commands", (string device, string? limit, DeviceRegistry registry, DownlinkService downlink, TimeProvider time) =>
        {
            if (registry.FindDevice(device) is not { } d)
            {
                return NoDevice(device);
            }

            int count;
            try
            {
                count = QueryParameters.Limit(limit, Math.Min(50, downlink.Options.MaxHistory), downlink.Options.MaxHistory);
            }
            catch (BadQueryException e)
            {
                return BadRequest(e.Message);
            }

            return Results.Ok(downlink.Store.Commands(d.Id, count, time.GetUtcNow()).Select(CommandDocument));
        }).RequireApiRole(ApiRole.Viewer);

        group.MapGet("/commands/{id}", (string device, string id, DeviceRegistry registry, DownlinkService downlink, TimeProvider time) =>
        {
            if (registry.FindDevice(device) is not { } d)
            {
                return NoDevice(device);
            }

            return downlink.Store.Command(d.Id, id, time.GetUtcNow()) is { } record
                ? Results.Ok(CommandDocument(record))
                : Results.Problem($"device '{device}' has no command '{id}'", statusCode: StatusCodes.Status404NotFound, title: "Not Found");
        }).RequireApiRole(ApiRole.Viewer);
        return app;
    }

    /// <summary>The small summary the device list carries.</summary>
    public static object ConfigSummary(DeviceConfigStatus s) => new
    {
        state = StateName(s.State),
        desiredRev = s.Desired?.Rev,
        ackedRev = s.Acked?.Rev,
    };

    private static async Task<IResult> ChangeConfigAsync(string device, HttpContext http, DeviceRegistry registry, DownlinkService downlink, Func<JsonObject, JsonObject, JsonObject> change, CancellationToken ct, bool readBody = true)
    {
        if (registry.FindDevice(device) is not { } d)
        {
            return NoDevice(device);
        }

        var body = new JsonObject();
        if (readBody)
        {
            var (read, bodyError) = await ReadObjectAsync(http, ct).ConfigureAwait(false);
            if (read is null)
            {
                return BadRequest(bodyError!);
            }

            body = read;
        }

        try
        {
            var (_, error) = await downlink.SetConfigAsync(d, current =>
            {
                var next = RemoteConfigOverlay.Normalize(change(current, body), out var refused);
                return (next, refused);
            }, By(http), ct).ConfigureAwait(false);
            if (error is not null)
            {
                return BadRequest(error);
            }
        }
        catch (DownlinkUnavailableException)
        {
            // stored: it goes out retained when the listener (re)connects (DownlinkService.RepublishAllAsync)
        }

        return Results.Json(ConfigDocument(d, downlink.Store.ConfigOf(d.Id)), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<(JsonObject? Body, string? Error)> ReadObjectAsync(HttpContext http, CancellationToken ct)
    {
        try
        {
            var node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: ct).ConfigureAwait(false);
            return node is JsonObject o ? (o, null) : (null, "the body must be a JSON object");
        }
        catch (JsonException e)
        {
            return (null, "the body is not JSON: " + e.Message);
        }
    }

    private static string By(HttpContext http) => http.Principal()?.Name ?? "unknown";

    private static IResult NoDevice(string device) =>
        Results.Problem($"device '{device}' is not registered", statusCode: StatusCodes.Status404NotFound, title: "Not Found");

    private static IResult BadRequest(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad Request");

    private static string StateName(ConfigState s) => s.ToString().ToLowerInvariant();

    private static object ConfigDocument(Device d, DeviceConfigStatus s) => new
    {
        device = d.Id,
        site = d.SiteId,
        state = StateName(s.State),
        desired = s.Desired is { } desired ? new { rev = desired.Rev, config = desired.Config, by = desired.By, at = desired.At } : null,
        acked = s.Acked is { } acked ? new { rev = acked.Rev, ok = acked.Ok, err = acked.Err, errName = acked.ErrName, at = acked.At } : null,
    };

    private static object CommandDocument(CommandRecord c) => new
    {
        id = c.Id,
        device = c.Device,
        site = c.Site,
        cmd = c.Cmd,
        args = c.Args,
        state = c.State.ToString().ToLowerInvariant(),
        err = c.Err,
        errName = c.ErrName,
        by = c.By,
        at = c.At,
        expires = c.Expires,
        ackedAt = c.AckedAt,
    };
}
