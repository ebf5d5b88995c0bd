using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Forwarding.Sl651;

public static class Sl651Registration
{
    /// <summary>
    /// The SL 651-2014 forwarder to hydrology platforms (<c>Forwarding:Sl651</c>); it runs only when
    /// platforms are configured, and then joins the alert channels for flash-flood additional reports
    /// unless <c>FlashFloodEvents</c> is off.
    /// </summary>
    public static IHostApplicationBuilder AddSl651Forwarding(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.TryAddSingleton<ForwardingOutboxes>();
        s.AddStageOptions<Sl651Options>(builder.Configuration, Sl651Options.Section, o => o.Validate());
        s.AddSingleton<Sl651Forwarder>();
        s.AddHostedService(sp => sp.GetRequiredService<Sl651Forwarder>());
        s.AddStageMetrics<Sl651StageMetrics>();
        var section = builder.Configuration.GetSection(Sl651Options.Section);
        if (section.GetSection("Platforms").GetChildren().Any() && section.GetValue("FlashFloodEvents", true))
        {
            s.AddSingleton<IAlertChannel>(sp => new Sl651AlertChannel(sp.GetRequiredService<Sl651Forwarder>()));
        }

        return builder;
    }
}
