using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Alerts.Channels.Mqtt;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Channels;

/// <summary>The alert channel's connect failures are reported once, then at most once a minute, not at every retry.</summary>
public sealed class MqttChannelLogTests
{
    [Fact]
    public async Task Repeated_connect_failures_give_one_warning_not_one_per_retry()
    {
        var log = new ListLogger();

        // nothing listens on the port: every connect is refused by the loopback stack
        var channel = new MqttChannel(new AlertMqttOptions(), new AlertsOptions(), "127.0.0.1", FreePort.Next(), "gateway", "secret", log);
        channel.Start();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (log.Entries.Count(e => e.Text.Contains("failed", StringComparison.Ordinal)) < 5 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
        finally
        {
            await channel.DisposeAsync();
        }

        var failures = log.Entries.Where(e => e.Text.Contains("failed", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count >= 5, $"expected at least 5 connect attempts in 10 s, saw {failures.Count}");
        Assert.Single(failures, e => e.Level == LogLevel.Warning);
        Assert.All(failures.Skip(1), e => Assert.Equal(LogLevel.Debug, e.Level));
    }
}
