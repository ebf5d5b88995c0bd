using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Buffering;

/// <summary>The write-ahead log's refusals, failures and size.</summary>
public sealed class WalMetrics(WriteAheadLog wal, Ledger ledger) : IStageMetrics
{
    public void WriteTo(PrometheusText text)
    {
        text.Counter("iotmon_wal_full_total", "Appends refused because the WAL was at Buffering:MaxBytes", GatewayCounters.Read(ref ledger.Counters.WalFull));
        text.Counter("iotmon_wal_write_failures_total", "WAL group commits whose write or fsync failed (disk full, I/O error)", wal.FailedGroups);
        text.Counter("iotmon_wal_appends_failed_total", "Telemetry messages refused because their WAL write failed", wal.FailedAppends);
        text.Gauge("iotmon_wal_pending_records", "WAL records not yet confirmed by InfluxDB", wal.PendingRecords);
        text.Gauge("iotmon_wal_bytes", "Bytes in WAL segments", wal.TotalBytes);
        text.Gauge("iotmon_wal_segments", "WAL segment files", wal.SegmentCount);
    }
}
