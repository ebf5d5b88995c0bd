using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTMonitor.Gateway.Storage;

/// <summary><c>influx</c> in <c>/health</c>: whether the last InfluxDB request succeeded, the server version, the last write and error. Unhealthy while unreachable (the WAL keeps the readings).</summary>
public sealed class InfluxHealthCheck(InfluxWriter writer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["reachable"] = writer.Reachable,
            ["version"] = writer.ServerVersion!,
            ["v1Compat"] = writer.UsesV1Compat,
            ["lastWrite"] = writer.LastWriteTime!,
            ["lastError"] = writer.LastError!,
            ["lastErrorTime"] = writer.LastErrorTime!,
        };
        return Task.FromResult(writer.Reachable
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy("InfluxDB unreachable: " + writer.LastError, data: data));
    }
}
