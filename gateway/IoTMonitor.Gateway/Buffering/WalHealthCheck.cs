using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTMonitor.Gateway.Buffering;

/// <summary>
/// <c>wal</c> in <c>/health</c>: depth and size of the write-ahead log. Unhealthy at
/// <c>Buffering:WarnPercent</c> of <c>Buffering:MaxBytes</c> (appends are refused soon after);
/// what the last start recovered (a torn tail cut off) are warnings.
/// </summary>
public sealed class WalHealthCheck(WriteAheadLog wal) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["pendingRecords"] = wal.PendingRecords,
            ["bytes"] = wal.TotalBytes,
            ["maxBytes"] = wal.MaxBytes,
            ["segments"] = wal.SegmentCount,
            ["replayed"] = wal.ReplayedRecords,
            ["truncatedBytes"] = wal.TruncatedBytes,
            [StageHealth.WarningsKey] = wal.RecoveryReports,
        };
        return Task.FromResult(wal.IsNearFull
            ? HealthCheckResult.Unhealthy($"WAL at {wal.TotalBytes * 100 / wal.MaxBytes}% of Buffering:MaxBytes", data: data)
            : HealthCheckResult.Healthy(data: data));
    }
}
