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
    public static IReadOnlyList<IAlertChannel> Of(AlertsOptions options)
    {
        var services = new ServiceCollection().AddLogging();
        var errors = services.AddAlertChannels(new ConfigurationBuilder().Build(), options);
        Assert.Empty(errors);
        return services.BuildServiceProvider().GetServices<IAlertChannel>().ToList();
    }
}
