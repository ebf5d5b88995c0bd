using IoTMonitor.Gateway.Alerts.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Tests.Support;

/// <summary>
/// The channels the gateway would register for <paramref name="options"/>, through the same
/// per-folder registrations (no configuration beyond the options; nothing is started or sent):
/// what engine tests route events through.
/// </summary>
public static class TestChannels
{
    public static IReadOnlyList<IAlertChannel> Of(AlertsOptions options) => Of(options, new Dictionary<string, string?>());

    /// <summary>The same with the <c>Alerts</c> section's <paramref name="settings"/> (e.g. <c>Channels:WeCom:Robots:duty:Url</c>).</summary>
    public static IReadOnlyList<IAlertChannel> Of(AlertsOptions options, IDictionary<string, string?> settings)
    {
        var services = new ServiceCollection().AddLogging();
        var errors = services.AddAlertChannels(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), options);
        Assert.Empty(errors);
        return services.BuildServiceProvider().GetServices<IAlertChannel>().ToList();
    }
}
