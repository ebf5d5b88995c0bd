namespace IoTMonitor.Gateway.Alerts;

/// <summary>A site's flash-flood state for the API and the dashboard: its level now, the sums at its newest reading and the increments of a period.</summary>
/// <param name="LevelPrepare">The site's prepare-to-evacuate water level (m; null = not used), drawn on the level chart.</param>
/// <param name="LevelImmediate">The site's evacuate-immediately water level (m; null = not used).</param>
public sealed record FloodSnapshot(string Site, string Level, long? NewestReading, IReadOnlyList<FloodSum> Sums, IReadOnlyList<FlashFlood.RainIncrement> Increments, double? LevelPrepare, double? LevelImmediate);

/// <summary>One duration's rainfall at the newest reading and the site's critical values for it.</summary>
public sealed record FloodSum(int Minutes, double Mm, double? Prepare, double? Immediate);
