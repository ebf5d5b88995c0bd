using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Channels.Webhook;

public static class WebhookRegistration
{
    /// <summary>On when <c>Urls</c> has an entry.</summary>
    public static void AddWebhookChannel(this AlertChannelContext context)
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
