using IoTMonitor.Gateway.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Channels.Influx;

public sealed class InfluxRegistration : IAlertChannelRegistration
{
    /// <summary>Its place in the outbox rows an event gets.</summary>
    public int Order => 30;

    /// <summary>On when <c>Enabled</c> (the default); writes to the server of <c>Storage:*</c>.</summary>
    public void Register(AlertChannelContext context)
    {
        var options = context.Options.Influx;
        context.Section("Influx").Bind(options);
        context.Errors.AddRange(options.Validate());
        if (options.Enabled)
        {
            context.Services.AddSingleton<IAlertChannel>(sp => new InfluxChannel(
                options, context.Options, sp.GetRequiredService<InfluxConnection>(), context.Options.Outbox.TimeoutSeconds));
        }
    }
}
