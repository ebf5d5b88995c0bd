namespace IoTMonitor.Gateway.Model;

/// <summary>A site of the registry: where devices are.</summary>
public sealed record Site(string Id, string Name, DateTimeOffset Created);
