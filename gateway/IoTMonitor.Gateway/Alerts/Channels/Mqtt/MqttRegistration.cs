using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Channels.Mqtt;

public sealed class MqttRegistration : IAlertChannelRegistration
{
    /// <summary>Its place in the outbox rows an event gets.</summary>
    public int Order => 20;

    /// <summary>
    /// On when <c>Enabled</c> (the default). The broker defaults to the gateway's own: the embedded
    /// broker on 127.0.0.1 with the service login, or <c>Mqtt:External</c>.
    /// </summary>
    public void Register(AlertChannelContext context)
    {
        var options = context.Options.Mqtt;
        context.Section("Mqtt").Bind(options);
        context.Errors.AddRange(options.Validate());
        if (!options.Enabled)
        {
            return;
        }

        context.Services.AddSingleton<IAlertChannel>(sp =>
        {
            var mqtt = sp.GetService<MqttOptions>();
            var registry = sp.GetService<RegistryOptions>();
            var log = sp.GetService<ILoggerFactory>()?.CreateLogger<MqttChannel>() ?? (ILogger)NullLogger.Instance;
            var embedded = mqtt is null || mqtt.Mode == MqttMode.Embedded;
            var host = options.Host.Length > 0 ? options.Host : embedded ? "127.0.0.1" : mqtt!.External.Host;
            var port = options.Port > 0 ? options.Port : mqtt is null ? 1883 : embedded ? mqtt.Port : mqtt.External.Port;
            // external: the gateway's own broker login unless the channel has one of its own
            var user = options.User.Length > 0 ? options.User : embedded ? mqtt?.ServiceUser ?? string.Empty : mqtt!.External.Username;
            var password = options.User.Length > 0 ? options.Password : embedded ? mqtt?.ServicePassword ?? string.Empty : mqtt!.External.Password;

            // no login the embedded broker would accept: retrying would only count as failed device logins
            var off = embedded && user.Length == 0 && registry?.RequireAuthentication == true
                ? "Alerts:Mqtt is on but has no login: set Mqtt:ServiceUser and Mqtt:ServicePassword (or Alerts:Mqtt:User). The MQTT alert channel and the node status feed of silence rules are off."
                : null;
            return new MqttChannel(options, context.Options, host, port, user, password, log, off);
        });
    }
}
