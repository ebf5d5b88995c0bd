using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTMonitor.Gateway.Validation;

/// <summary><c>deadLetters</c> in <c>/health</c>: entries added and dropped (a full queue). Figures only: refusals are the senders' fault, not the gateway's.</summary>
public sealed class DeadLetterHealthCheck(DeadLetterStore deadLetters) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy(data: new Dictionary<string, object>
        {
            ["added"] = deadLetters.Added,
            ["dropped"] = deadLetters.Dropped,
        }));
}
