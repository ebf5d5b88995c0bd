namespace IoTMonitor.Gateway.Model;

/// <summary>An enrolled device and the site it belongs to.</summary>
public sealed record Device(string Id, string SiteId, DateTimeOffset Created, bool Enabled);
