using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Channels.WeCom;

public sealed class WeComRegistration : IAlertChannelRegistration
{
    /// <summary>Its place in the outbox rows an event gets.</summary>
    public int Order => 60;

    /// <summary>Binds <c>Alerts:Channels:WeCom</c>; on when a robot is configured.</summary>
    public void Register(AlertChannelContext context)
    {
        var options = new WeComOptions();
        context.Section(WeComOptions.Section).Bind(options);
        context.Errors.AddRange(options.Validate());
        if (options.Robots.Count > 0)
        {
            context.Services.AddSingleton<IAlertChannel>(sp => new WeComChannel(
                options, context.Options, sp.GetRequiredService<IHttpClientFactory>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        }
    }
}
