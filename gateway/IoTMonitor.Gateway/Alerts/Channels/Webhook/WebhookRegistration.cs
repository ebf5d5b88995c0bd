using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Channels.Webhook;

public sealed class WebhookRegistration : IAlertChannelRegistration
{
    /// <summary>Its place in the outbox rows an event gets.</summary>
    public int Order => 10;

    /// <summary>On when <c>Urls</c> has an entry.</summary>
    public void Register(AlertChannelContext context)
    {
        var options = context.Options.Webhook;
        context.Section("Webhook").Bind(options);
        context.Errors.AddRange(options.Validate());
        if (options.Urls.Count > 0)
        {
            context.Services.AddSingleton<IAlertChannel>(sp => new WebhookChannel(options, context.Options, sp.GetRequiredService<IHttpClientFactory>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        }
    }
}
