using IoTMonitor.Gateway.State;

namespace IoTMonitor.Gateway.Tests.State;

/// <summary>The schema is one list of steps from several stores' files: it must stay ordered, and the alert store keeps to its own range.</summary>
public sealed class AlertMigrations_Tests
{
    [Fact]
    public void The_steps_are_in_strictly_increasing_version_order_and_the_alert_steps_keep_to_10_to_19()
    {
        var versions = PostgresMigrations.Steps.Select(s => s.Version).ToList();

        Assert.Equal(versions.Order().Distinct(), versions);
        Assert.NotEmpty(AlertMigrations.Steps);
        Assert.All(AlertMigrations.Steps, s => Assert.InRange(s.Version, 10, 19));
        Assert.All(AlertMigrations.Steps, s => Assert.Contains(s, PostgresMigrations.Steps));
    }
}
