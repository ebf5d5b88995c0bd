using IoTMonitor.Gateway.Configuration;

namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>The SL 651 forwarder's lines, one label per platform.</summary>
public sealed class Sl651StageMetrics(Sl651Forwarder forwarder) : IStageMetrics
{
    public void WriteTo(PrometheusText text) => text.Append(forwarder.RenderMetrics());
}
