using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Storage;

/// <summary>The writer's requests to InfluxDB and what InfluxDB confirmed or refused.</summary>
public sealed class StorageMetrics(InfluxWriter writer, Ledger ledger) : IStageMetrics
{
    public void WriteTo(PrometheusText text)
    {
        var c = ledger.Counters;
        text.Counter("iotmon_points_written_total", "Points confirmed by InfluxDB", GatewayCounters.Read(ref c.PointsWritten));
        text.Counter("iotmon_points_dead_lettered_total", "Points refused by InfluxDB and dead-lettered", GatewayCounters.Read(ref c.PointsDeadLettered));
        text.Counter("iotmon_influx_write_requests_total", "Write requests sent to InfluxDB", GatewayCounters.Read(ref c.InfluxWriteRequests));
        text.Counter("iotmon_influx_write_errors_total", "Write requests that failed and were retried", GatewayCounters.Read(ref c.InfluxWriteErrors));
        text.Gauge("iotmon_influx_reachable", "1 when the last InfluxDB request succeeded", writer.Reachable ? 1 : 0);
    }
}
