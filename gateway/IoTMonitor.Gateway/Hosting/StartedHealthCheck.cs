using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTMonitor.Gateway.Hosting;

/// <summary>
/// <c>started</c>: Unhealthy until the lifecycle has started the listener; <c>/health</c> then
/// answers only <c>{"status":"starting"}</c> (503), since the other stages' figures mean nothing yet.
/// </summary>
public sealed class StartedHealthCheck(GatewayLifecycle lifecycle) : IHealthCheck
{
    public const string Name = "started";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifecycle.Started ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("starting"));
}
