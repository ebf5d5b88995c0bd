using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Validation;

/// <summary>What the dead-letter store could not keep.</summary>
public sealed class DeadLetterMetrics(DeadLetterStore deadLetters) : IStageMetrics
{
    public void WriteTo(PrometheusText text) =>
        text.Counter("iotmon_dead_letters_dropped_total", "Dead-letter entries dropped because the store's queue was full", deadLetters.Dropped);
}
