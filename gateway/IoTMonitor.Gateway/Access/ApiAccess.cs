using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IoTMonitor.Gateway.Access;

/// <summary>
/// Key check, role check and rate limit for an endpoint or group:
/// <c>group.RequireApiRole(ApiRole.Viewer)</c>. The key comes in header <c>X-Api-Key</c> or as
/// <c>Authorization: Bearer {key}</c> (what Prometheus and most HTTP clients send). Answers 401 without
/// a valid key, 403 when the key's role is too low, 429 (with <c>Retry-After</c>) when the key
/// has used its bucket (<c>Access:RequestsPerMinute</c>, <c>Access:Burst</c>).
/// </summary>
public static class ApiAccess
{
    public const string PrincipalItem = "iotmon.principal";

    public static TBuilder RequireApiRole<TBuilder>(this TBuilder builder, ApiRole role)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new ApiRoleRequirement(role));
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var services = http.RequestServices;
            if (Refusal(http, role, out var principal) is { } refused)
            {
                return refused;
            }

            using var lease = services.GetRequiredService<ApiRateLimiter>().Limiter.AttemptAcquire(principal!.KeyId);
            if (!lease.IsAcquired)
            {
                var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                http.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem($"rate limit of key '{principal!.Name}' reached; retry after {retry} s", statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests");
            }

            http.Items[PrincipalItem] = principal!;
            return await next(context).ConfigureAwait(false);
        });
        return builder;
    }

    /// <summary>
    /// The 401 or 403 for a request without a valid key or with a role below <paramref name="role"/>;
    /// null when the key may call. Also asked before a binding error is answered (Api/ApiErrors.cs), so
    /// a caller without a key learns nothing about an endpoint's parameters.
    /// </summary>
    public static IResult? Refusal(HttpContext http, ApiRole role, out ApiPrincipal? principal)
    {
        principal = http.RequestServices.GetRequiredService<IApiKeyStore>().Authenticate(KeyOf(http.Request));
        if (principal is null)
        {
            http.Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
            return Results.Problem("a valid API key is required (header X-Api-Key or Authorization: Bearer)", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }

        if (principal.Role < role)
        {
            return Results.Problem($"this needs the {role.ToString().ToLowerInvariant()} role; the key '{principal.Name}' is {principal.Role.ToString().ToLowerInvariant()}", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        return null;
    }

    public static ApiPrincipal? Principal(this HttpContext http) => http.Items[PrincipalItem] as ApiPrincipal;

    private static string? KeyOf(HttpRequest request)
    {
        var key = request.Headers["X-Api-Key"].ToString();
        if (key.Length > 0)
        {
            return key;
        }

        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
    }

    private static T GetRequiredService<T>(this IServiceProvider services)
        where T : notnull => (T)(services.GetService(typeof(T)) ?? throw new InvalidOperationException(typeof(T).Name + " is not registered"));
}

/// <summary>The role an endpoint needs (endpoint metadata set by <see cref="ApiAccess.RequireApiRole"/>).</summary>
public sealed record ApiRoleRequirement(ApiRole Role);

/// <summary>One token bucket per API key.</summary>
public sealed class ApiRateLimiter : IDisposable
{
    public ApiRateLimiter(AccessOptions options)
    {
        var rpm = options.RequestsPerMinute;
        var (tokens, period) = rpm % 60 == 0 ? (rpm / 60, TimeSpan.FromSeconds(1)) : (1, TimeSpan.FromMinutes(1) / rpm);
        Limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public PartitionedRateLimiter<string> Limiter { get; }

    public void Dispose() => Limiter.Dispose();
}
