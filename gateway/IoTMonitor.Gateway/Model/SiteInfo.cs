namespace IoTMonitor.Gateway.Model;

/// <summary>What the alert engine knows about a site beyond its id: its registry profile, with <c>Alerts:Sites</c> overrides applied.</summary>
public sealed class SiteInfo
{
    public string Name { get; set; } = string.Empty;

    /// <summary>A name of <see cref="IoTMonitor.Gateway.Registry.SiteTypes"/> — matched by a rule's <c>scope.siteTypes</c>.</summary>
    public string Type { get; set; } = string.Empty;

    public string Basin { get; set; } = string.Empty;

    public double? Latitude { get; set; }

    public double? Longitude { get; set; }
}
