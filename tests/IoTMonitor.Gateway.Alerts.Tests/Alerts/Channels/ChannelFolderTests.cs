using IoTMonitor.Gateway.Alerts.Channels;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Channels;

/// <summary>A channel is one folder: its registration is found without a list elsewhere, next to its channel class, in a fixed order.</summary>
public sealed class ChannelFolderTests
{
    [Fact]
    public void Every_channel_folder_registers_itself_in_the_outbox_order()
    {
        var registrations = AlertChannels.Registrations();

        Assert.Equal(
            ["Webhook", "Mqtt", "Influx", "Email", "Sms", "WeCom", "DingTalk"],
            registrations.Select(r => r.GetType().Name.Replace("Registration", string.Empty, StringComparison.Ordinal)).ToArray());
        Assert.Equal(registrations.Select(r => r.Order).Order().ToArray(), registrations.Select(r => r.Order).ToArray());
        Assert.Equal(registrations.Count, registrations.Select(r => r.Order).Distinct().Count());
    }

    [Fact]
    public void Each_registration_sits_in_its_channel_folder_beside_one_channel_class()
    {
        var channels = typeof(IAlertChannel).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IAlertChannel).IsAssignableFrom(t))
            .ToList();

        foreach (var registration in AlertChannels.Registrations())
        {
            var folder = registration.GetType().Namespace!;
            var name = registration.GetType().Name.Replace("Registration", string.Empty, StringComparison.Ordinal);
            Assert.Equal("IoTMonitor.Gateway.Alerts.Channels." + name, folder);
            Assert.Single(channels, c => c.Namespace == folder);
        }
    }
}
