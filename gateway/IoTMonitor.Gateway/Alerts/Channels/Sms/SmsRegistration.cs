using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Channels.Sms;

public sealed class SmsRegistration : IAlertChannelRegistration
{
    /// <summary>Its place in the outbox rows an event gets.</summary>
    public int Order => 50;

    /// <summary>On when <c>UrlTemplate</c> is set.</summary>
    public void Register(AlertChannelContext context)
    {
        var options = context.Options.Sms;
        context.Section("Sms").Bind(options);
        context.Errors.AddRange(options.Validate());
        if (options.UrlTemplate.Length > 0)
        {
            context.Services.AddSingleton<IAlertChannel>(sp => new SmsChannel(options, context.Options, sp.GetRequiredService<IHttpClientFactory>()));
        }
    }
}
