using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Channels.Email;

public static class EmailRegistration
{
    /// <summary>On when <c>Host</c> is set.</summary>
    public static void AddEmailChannel(this AlertChannelContext context)
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
