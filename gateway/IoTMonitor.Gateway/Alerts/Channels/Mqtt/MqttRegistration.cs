using IoTMonitor.Gateway.Ingest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Channels.Mqtt;

public static class MqttRegistration
{
    /// <summary>
    /// On when <c>Enabled</c> (the default). The broker defaults to the gateway's own: the embedded
    /// broker on 127.0.0.1 with the service login, or <c>Mqtt:External</c>.
    /// </summary>
    public static void AddMqttChannel(this AlertChannelContext context)
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
            var settings = sp.GetService<GatewaySettings>();
            var log = sp.GetService<ILoggerFactory>()?.CreateLogger<MqttChannel>() ?? (ILogger)NullLogger.Instance;
            var embedded = settings is null || settings.Mqtt.Mode == MqttMode.Embedded;
            var host = options.Host.Length > 0 ? options.Host : embedded ? "127.0.0.1" : settings!.Mqtt.External.Host;
            var port = options.Port > 0 ? options.Port : settings is null ? 1883 : embedded ? settings.Mqtt.Port : settings.Mqtt.External.Port;
            // external: the gateway's own broker login unless the channel has one of its own
            var user = options.User.Length > 0 ? options.User : embedded ? settings?.Mqtt.ServiceUser ?? string.Empty : settings!.Mqtt.External.Username;
            var password = options.User.Length > 0 ? options.Password : embedded ? settings?.Mqtt.ServicePassword ?? string.Empty : settings!.Mqtt.External.Password;

            // no login the embedded broker would accept: retrying would only count as failed device logins
            var off = embedded && user.Length == 0 && settings?.Registry.RequireAuthentication == true
                ? "Alerts:Mqtt is on but has no login: set Mqtt:ServiceUser and Mqtt:ServicePassword (or Alerts:Mqtt:User). The MQTT alert channel and the node status feed of silence rules are off."
                : null;
            return new MqttChannel(options, context.Options, host, port, user, password, log, off);
        });
    }
}
