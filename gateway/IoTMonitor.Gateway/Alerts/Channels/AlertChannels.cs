using IoTMonitor.Gateway.Alerts.Channels.DingTalk;
using IoTMonitor.Gateway.Alerts.Channels.Email;
using IoTMonitor.Gateway.Alerts.Channels.Influx;
using IoTMonitor.Gateway.Alerts.Channels.Mqtt;
using IoTMonitor.Gateway.Alerts.Channels.Sms;
using IoTMonitor.Gateway.Alerts.Channels.WeCom;
using IoTMonitor.Gateway.Alerts.Channels.Webhook;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Channels;

/// <summary>
/// What a channel folder's registration gets: the bound <c>Alerts</c> options, the <c>Alerts</c>
/// configuration section (a channel binds <c>Alerts:Channels:{Name}</c> from it) and a list to add
/// its start-up validation errors to.
/// </summary>
public sealed class AlertChannelContext(IServiceCollection services, IConfiguration alerts, AlertsOptions options)
{
    public IServiceCollection Services { get; } = services;

    public AlertsOptions Options { get; } = options;

    public List<string> Errors { get; } = [];

    /// <summary>The channel's own section, <c>Alerts:Channels:{name}</c>.</summary>
    public IConfigurationSection Section(string name) => alerts.GetSection("Channels").GetSection(name);
}

public static class AlertChannels
{
    /// <summary>The named HttpClient the HTTP channels send with (timeout: <c>Alerts:Outbox:TimeoutSeconds</c>).</summary>
    public const string HttpClientName = "alerts";

    /// <summary>
    /// Registers every channel folder's channel (each decides from its options whether it is on) as
    /// <see cref="IAlertChannel"/>; returns the configuration errors found. The order here is the
    /// order of the outbox rows an event gets.
    /// </summary>
    public static IReadOnlyList<string> AddAlertChannels(this IServiceCollection services, IConfiguration alerts, AlertsOptions options)
    {
        services.AddHttpClient(HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(options.Outbox.TimeoutSeconds));
        var context = new AlertChannelContext(services, alerts, options);
        context.AddWebhookChannel();
        context.AddMqttChannel();
        context.AddInfluxChannel();
        context.AddEmailChannel();
        context.AddSmsChannel();
        context.AddWeComChannel();
        context.AddDingTalkChannel();
        return context.Errors;
    }
}
