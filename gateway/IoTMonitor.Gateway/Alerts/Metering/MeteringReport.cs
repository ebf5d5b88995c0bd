namespace IoTMonitor.Gateway.Alerts.Metering;

/// <summary>
/// What the metering watch (gateway <c>Metering/MeteringWatch</c>) found on the channels that have
/// allocations or scheduled deliveries in force at gateway time <see cref="At"/>. The volumes are the
/// API's (read from the stored readings, exact across lost, late and duplicated messages); the engine
/// only decides from them, so its lock never waits on InfluxDB.
/// </summary>
public sealed record MeteringReport(long At, IReadOnlyList<ChannelMetering> Channels);

/// <summary>One channel: its sites (the first names the alert's site), what its allocations have used and how it flowed during its deliveries.</summary>
public sealed record ChannelMetering(string District, string Channel, string Name, IReadOnlyList<string> Sites, IReadOnlyList<AllocationUse> Allocations, IReadOnlyList<DeliveryFlow> Deliveries)
{
    /// <summary>The alerts' subject (their <c>device</c>): one alert per rule and channel.</summary>
    public string Subject => $"channel:{District}/{Channel}";
}

/// <summary>An allocation in force: the volume metered since its start, with the share of that time the readings cover.</summary>
public sealed record AllocationUse(string Id, long From, long To, double Allocated, double Used, double Completeness);

/// <summary>
/// A delivery in force: its schedule and the channel's mean flow over the last
/// <see cref="WindowSeconds"/> before the report (volume over the seconds the readings cover); null
/// when no reading pair covers any of it (the flow cannot be told).
/// </summary>
public sealed record DeliveryFlow(long From, long To, double? MinFlow, int WindowSeconds, double? MeanFlow, long CoveredSeconds);
