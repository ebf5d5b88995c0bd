using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Hosting;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary><c>GET /health</c>: broker, WAL depth, InfluxDB reachable, last write error; 200 when ok, 503 otherwise.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (GatewayLifecycle lifecycle, WriteAheadLog wal, InfluxWriter writer, IMqttListener listener, DeadLetterStore deadLetters) =>
        {
            if (!lifecycle.Started)
            {
                return Results.Json(new { status = "starting" }, statusCode: 503);
            }

            var warnings = new List<string>();
            if (wal.IsNearFull)
            {
                warnings.Add($"WAL at {wal.TotalBytes * 100 / wal.MaxBytes}% of Buffering:MaxBytes");
            }

            if (!writer.Reachable)
            {
                warnings.Add("InfluxDB unreachable: " + writer.LastError);
            }

            if (!listener.IsConnected)
            {
                warnings.Add("MQTT listener not connected");
            }

            foreach (var report in wal.RecoveryReports)
            {
                warnings.Add(report);
            }

            var healthy = listener.IsConnected && writer.Reachable && !wal.IsNearFull;
            var body = new
            {
                status = healthy ? (warnings.Count == 0 ? "ok" : "warning") : "degraded",
                broker = new { mode = listener.Mode, connected = listener.IsConnected, clients = listener.ConnectedClients },
                wal = new { pendingRecords = wal.PendingRecords, bytes = wal.TotalBytes, maxBytes = wal.MaxBytes, segments = wal.SegmentCount, replayed = wal.ReplayedRecords, truncatedBytes = wal.TruncatedBytes },
                influx = new { reachable = writer.Reachable, version = writer.ServerVersion, v1Compat = writer.UsesV1Compat, lastWrite = writer.LastWriteTime, lastError = writer.LastError, lastErrorTime = writer.LastErrorTime },
                deadLetters = new { added = deadLetters.Added, dropped = deadLetters.Dropped },
                warnings,
            };
            return Results.Json(body, statusCode: healthy ? 200 : 503);
        });
        return app;
    }
}
