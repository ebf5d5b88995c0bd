using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// API keys (admin): <c>GET/POST /api/v1/keys</c>, <c>DELETE /api/v1/keys/{id}</c>; and, for any key,
/// <c>GET /api/v1/me</c>: the calling key's name and role (the dashboard shows write controls by it).
/// </summary>
public static class AccessApi
{
    public static IEndpointRouteBuilder MapAccessApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/v1/keys").WithTags("Access").RequireApiRole(ApiRole.Admin);

        keys.MapGet("/", (IApiKeyStore store) => store.List().Select(Info).ToList())
            .WithSummary("Lists keys (never the keys themselves).");

        keys.MapPost("/", (CreateKeyRequest body, IApiKeyStore store) =>
        {
            if (!TryRole(body.Role, out var role))
            {
                return Results.Problem("role must be viewer, operator or admin", statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }

            if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 64)
            {
                return Results.Problem("name must be 1–64 characters", statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }

            var (info, key) = store.Create(body.Name, role);
            return Results.Created($"/api/v1/keys/{info.Id}", new CreatedKey(info.Id, info.Name, Role(info.Role), key));
        }).WithSummary("Creates a key with a role (viewer, operator, admin); the key is in the answer once.");

        keys.MapDelete("/{id}", (string id, IApiKeyStore store) =>
            store.Revoke(id) ? Results.NoContent() : Results.Problem($"key '{id}' does not exist", statusCode: StatusCodes.Status404NotFound))
            .WithSummary("Revokes a key at once.");

        app.MapGet("/api/v1/me", (HttpContext http) => http.Principal() is { } p ? Results.Ok(new KeyIdentity(p.Name, Role(p.Role))) : Results.Unauthorized())
            .WithTags("Access")
            .WithSummary("The calling key's name and role (viewer, operator, admin); never the key itself.")
            .RequireApiRole(ApiRole.Viewer);
        return app;
    }

    public static bool TryRole(string? text, out ApiRole role)
    {
        role = text switch { "viewer" => ApiRole.Viewer, "operator" => ApiRole.Operator, "admin" => ApiRole.Admin, _ => 0 };
        return role != 0;
    }

    private static string Role(ApiRole role) => role.ToString().ToLowerInvariant();

    private static KeyInfo Info(ApiKeyInfo k) => new(k.Id, k.Name, Role(k.Role), k.Created, k.Revoked);
}
