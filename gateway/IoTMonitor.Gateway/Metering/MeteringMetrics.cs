using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Metering;

/// <summary>The metering watch feeding the allocation and no-flow alert rules: how often it reported and how often reading the volumes failed.</summary>
public sealed class MeteringMetrics(MeteringWatch watch) : IStageMetrics
{
    public void WriteTo(PrometheusText text)
    {
        text.Counter("iotmon_metering_alert_checks_total", "Metering reports (channels' allocation use and flow during deliveries) handed to the alert engine", watch.Checks);
        text.Counter("iotmon_metering_alert_check_failures_total", "Metering alert checks that could not read the volumes (InfluxDB unreachable, ambiguous level device); the alerts stay as they were", watch.Failures);
    }
}
