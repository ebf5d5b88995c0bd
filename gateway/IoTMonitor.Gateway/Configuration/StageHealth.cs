using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTMonitor.Gateway.Configuration;

/// <summary>
/// How a stage reports its health: one <see cref="IHealthCheck"/> per stage, registered by the
/// stage's own <c>Add&lt;Stage&gt;()</c> under the name its object has in <c>/health</c>. The
/// check's data are that object's fields; Unhealthy makes <c>/health</c> 503 with the description
/// as a warning; a <see cref="WarningsKey"/> entry (a list of strings) adds warnings without
/// making the gateway unhealthy.
/// </summary>
public static class StageHealth
{
    /// <summary>Data key of a check's warnings (not rendered inside the stage's object).</summary>
    public const string WarningsKey = "warnings";

    public static IServiceCollection AddStageHealthCheck<T>(this IServiceCollection services, string name)
        where T : class, IHealthCheck
    {
        services.AddHealthChecks().AddCheck<T>(name);
        return services;
    }
}
