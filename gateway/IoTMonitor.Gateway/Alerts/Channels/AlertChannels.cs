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

/// <summary>
/// A channel folder's registration: binds the channel's options, adds their errors and registers the
/// channel as <see cref="IAlertChannel"/> when it is on. Found in the assembly by
/// <see cref="AlertChannels.AddAlertChannels"/>, so a new channel is one new folder and no list
/// elsewhere changes. Needs a public parameterless constructor.
/// </summary>
public interface IAlertChannelRegistration
{
    /// <summary>The channel's place in the outbox rows an event gets (lower first).</summary>
    int Order { get; }

    void Register(AlertChannelContext context);
}

public static class AlertChannels
{
    /// <summary>The named HttpClient the HTTP channels send with (timeout: <c>Alerts:Outbox:TimeoutSeconds</c>).</summary>
    public const string HttpClientName = "alerts";

    /// <summary>
    /// Registers every channel folder's channel (each decides from its options whether it is on) as
    /// <see cref="IAlertChannel"/>, in <see cref="IAlertChannelRegistration.Order"/>; returns the
    /// configuration errors found.
    /// </summary>
    public static IReadOnlyList<string> AddAlertChannels(this IServiceCollection services, IConfiguration alerts, AlertsOptions options)
    {
        services.AddHttpClient(HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(options.Outbox.TimeoutSeconds));
        var context = new AlertChannelContext(services, alerts, options);
        foreach (var registration in Registrations())
        {
            registration.Register(context);
        }

        return context.Errors;
    }

    /// <summary>Every channel folder's registration in this assembly, in their order.</summary>
    public static IReadOnlyList<IAlertChannelRegistration> Registrations() =>
        typeof(AlertChannels).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IAlertChannelRegistration).IsAssignableFrom(t))
            .Select(t => (IAlertChannelRegistration)Activator.CreateInstance(t)!)
            .OrderBy(r => r.Order)
            .ThenBy(r => r.GetType().Name, StringComparer.Ordinal)
            .ToList();
}
