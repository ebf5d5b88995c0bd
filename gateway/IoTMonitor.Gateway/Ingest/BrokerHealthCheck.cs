using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTMonitor.Gateway.Ingest;

/// <summary><c>broker</c> in <c>/health</c>: the MQTT listener's mode, whether it takes messages, its clients. Unhealthy when not connected.</summary>
public sealed class BrokerHealthCheck(IMqttListener listener) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var connected = listener.IsConnected;
        var data = new Dictionary<string, object>
        {
            ["mode"] = listener.Mode,
            ["connected"] = connected,
            ["clients"] = listener.ConnectedClients,
        };
        return Task.FromResult(connected
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy("MQTT listener not connected", data: data));
    }
}
