using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Channels.DingTalk;

public sealed class DingTalkRegistration : IAlertChannelRegistration
{
    /// <summary>Its place in the outbox rows an event gets.</summary>
    public int Order => 70;

    /// <summary>Binds <c>Alerts:Channels:DingTalk</c>; on when a robot is configured.</summary>
    public void Register(AlertChannelContext context)
    {
        var options = new DingTalkOptions();
        context.Section(DingTalkOptions.Section).Bind(options);
        context.Errors.AddRange(options.Validate());
        if (options.Robots.Count > 0)
        {
            context.Services.AddSingleton<IAlertChannel>(sp => new DingTalkChannel(
                options, context.Options, sp.GetRequiredService<IHttpClientFactory>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        }
    }
}
