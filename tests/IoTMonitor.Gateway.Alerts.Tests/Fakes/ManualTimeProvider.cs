namespace IoTMonitor.Gateway.Alerts.Tests.Fakes;

/// <summary>A clock the test moves by hand (the engine's ticks are called directly in unit tests).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
