using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>The forwarder's lines, one label per platform (<see cref="Hj212Metrics"/>).</summary>
public sealed class Hj212StageMetrics(Hj212Forwarder forwarder) : IStageMetrics
{
    public void WriteTo(PrometheusText text) => text.Append(forwarder.RenderMetrics());
}
