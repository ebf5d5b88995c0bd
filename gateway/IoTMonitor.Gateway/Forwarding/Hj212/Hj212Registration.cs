using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

public static class Hj212Registration
{
    /// <summary>The HJ 212-2017 forwarder to agency platforms (<c>Forwarding:Hj212</c>); it runs only when platforms are configured.</summary>
    public static IHostApplicationBuilder AddHj212Forwarding(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.TryAddSingleton<ForwardingOutboxes>();
        s.AddStageOptions<Hj212Options>(builder.Configuration, Hj212Options.Section, o => o.Validate());
        s.AddSingleton<Hj212Forwarder>();
        s.AddHostedService(sp => sp.GetRequiredService<Hj212Forwarder>());
        s.AddStageMetrics<Hj212StageMetrics>();
        return builder;
    }
}
