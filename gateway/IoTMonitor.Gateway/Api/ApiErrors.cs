using System.Text.Json;
using IoTMonitor.Gateway.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// Every refused request gets a JSON problem body (RFC 9457) saying what was wrong, never an empty
/// body: a parameter or body the framework could not bind (<c>limit=abc</c>, <c>{"id":</c>) is
/// answered 400 with the framework's message naming the parameter, and any other error status
/// without a body (404 of an unknown path, 405) gets a problem body too. The shared PostgreSQL being
/// away (replicas, <c>State:Provider</c> postgres) is a 503 with <c>Retry-After</c>, not a 500.
/// </summary>
public static class ApiErrors
{
    public static WebApplicationBuilder AddApiErrors(this WebApplicationBuilder builder)
    {
        // binding failures throw BadHttpRequestException (caught below) instead of answering an empty 400
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }

    public static WebApplication UseApiErrors(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (!http.Response.HasStarted)
            {
                // parameters are bound before the key check runs: check the key first here, so the
                // answer to a caller without one is 401 whatever it sent
                if (Refused(http) is { } refused)
                {
                    http.Response.Clear();
                    await refused.ExecuteAsync(http).ConfigureAwait(false);
                    return;
                }

                await WriteAsync(http, e.StatusCode, e.Message).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!http.Response.HasStarted && State.PostgresOutage.Is(e))
            {
                // the shared PostgreSQL is restarting or unreachable: nothing was changed, the caller may retry
                http.Response.Headers.RetryAfter = "5";
                await WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "the shared state database (PostgreSQL) is unreachable; nothing was changed, retry shortly: " + e.Message).ConfigureAwait(false);
                return;
            }
            catch (JsonException e) when (!http.Response.HasStarted)
            {
                // a handler that reads its body itself (ReadFromJsonAsync) met malformed JSON
                await WriteAsync(http, StatusCodes.Status400BadRequest, "the body is not valid JSON: " + e.Message).ConfigureAwait(false);
                return;
            }

            if (http.Response.StatusCode >= 400 && !http.Response.HasStarted && http.Response.ContentLength is null && http.Response.ContentType is null)
            {
                await WriteAsync(http, http.Response.StatusCode, null).ConfigureAwait(false);
            }
        });
        return app;
    }

    private static IResult? Refused(HttpContext http)
    {
        var needs = http.GetEndpoint()?.Metadata.GetOrderedMetadata<ApiRoleRequirement>();
        return needs is null || needs.Count == 0 ? null : ApiAccess.Refusal(http, needs.Max(r => r.Role), out _);
    }

    private static Task WriteAsync(HttpContext http, int status, string? detail)
    {
        http.Response.Clear();
        http.Response.StatusCode = status;
        var title = status switch
        {
            StatusCodes.Status400BadRequest => "Bad request",
            StatusCodes.Status401Unauthorized => "Unauthorized",
            StatusCodes.Status403Forbidden => "Forbidden",
            StatusCodes.Status404NotFound => "Not found",
            StatusCodes.Status405MethodNotAllowed => "Method not allowed",
            StatusCodes.Status413PayloadTooLarge => "Payload too large",
            StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
            StatusCodes.Status503ServiceUnavailable => "Service unavailable",
            _ => "Error",
        };
        detail ??= status switch
        {
            StatusCodes.Status404NotFound => $"no such resource: {http.Request.Method} {http.Request.Path} (docs/api.md lists the endpoints)",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}",
            _ => title,
        };
        return Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(http);
    }
}
