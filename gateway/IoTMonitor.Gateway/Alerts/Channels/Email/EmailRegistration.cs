using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Channels.Email;

public sealed class EmailRegistration : IAlertChannelRegistration
{
    /// <summary>Its place in the outbox rows an event gets.</summary>
    public int Order => 40;

    /// <summary>On when <c>Host</c> is set.</summary>
    public void Register(AlertChannelContext context)
    {
        var options = context.Options.Email;
        context.Section("Email").Bind(options);
        context.Errors.AddRange(options.Validate());
        if (options.Host.Length > 0)
        {
            context.Services.AddSingleton<IAlertChannel>(_ => new EmailChannel(options, context.Options));
        }
    }
}
