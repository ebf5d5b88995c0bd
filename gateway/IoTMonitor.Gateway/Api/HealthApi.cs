using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary><c>GET /health</c>: broker, WAL depth, InfluxDB reachable, last write error; 200 when ok, 503 otherwise.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (GatewayRuntime gw) =>
        {
            if (!gw.Started)
            {
                return Results.Json(new { status = "starting" }, statusCode: 503);
            }

            var wal = gw.Wal;
            var writer = gw.Writer;
            var warnings = new List<string>();
            if (wal.IsNearFull)
            {
                warnings.Add($"WAL at {wal.TotalBytes * 100 / wal.MaxBytes}% of Buffering:MaxBytes");
            }

            if (!writer.Reachable)
            {
                warnings.Add("InfluxDB unreachable: " + writer.LastError);
            }

            if (!gw.Listener.IsConnected)
            {
                warnings.Add("MQTT listener not connected");
            }

            foreach (var report in wal.RecoveryReports)
            {
                warnings.Add(report);
            }

            var healthy = gw.Listener.IsConnected && writer.Reachable && !wal.IsNearFull;
            var body = new
            {
                status = healthy ? (warnings.Count == 0 ? "ok" : "warning") : "degraded",
                broker = new { mode = gw.Listener.Mode, connected = gw.Listener.IsConnected, clients = gw.Listener.ConnectedClients },
                wal = new { pendingRecords = wal.PendingRecords, bytes = wal.TotalBytes, maxBytes = wal.MaxBytes, segments = wal.SegmentCount, replayed = wal.ReplayedRecords, truncatedBytes = wal.TruncatedBytes },
                influx = new { reachable = writer.Reachable, version = writer.ServerVersion, v1Compat = writer.UsesV1Compat, lastWrite = writer.LastWriteTime, lastError = writer.LastError, lastErrorTime = writer.LastErrorTime },
                deadLetters = new { added = gw.DeadLetters.Added, dropped = gw.DeadLetters.Dropped },
                warnings,
            };
            return Results.Json(body, statusCode: healthy ? 200 : 503);
        });
        return app;
    }
}
