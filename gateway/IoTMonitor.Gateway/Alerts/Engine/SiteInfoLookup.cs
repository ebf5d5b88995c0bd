using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Registry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Where a site is, for the alert engine: the registry's site profile with the
/// <see cref="AlertsOptions.Sites"/> overrides applied field by field (docs/alerts.md, Where a site is).
/// Read on every call, not cached: the engine asks once per site and group, and once per notice, so a
/// changed profile applies from the next group without a restart.
/// </summary>
internal sealed class SiteInfoLookup(AlertsOptions options, ILogger log, Func<string, SiteProfile?>? profiles)
{
    /// <summary>The site's profile with the overrides applied; null when neither knows the site.</summary>
    public SiteInfo? Find(string site)
    {
        SiteProfile? profile = null;
        try
        {
            profile = profiles?.Invoke(site);
        }
        catch (Exception e) when (e is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            // an unreadable registry must not stop the evaluation: unscoped rules still apply
            log.LogWarning(e, "Could not read the site profile of {Site}; using Alerts:Sites only", site);
        }

        options.Sites.TryGetValue(site, out var over);
        if (profile is null && over is null)
        {
            return null;
        }

        var coordinates = over is { Latitude: not null, Longitude: not null } ? (over.Latitude, over.Longitude) : (profile?.Lat, profile?.Lon);
        return new SiteInfo
        {
            Name = Pick(over?.Name, profile?.Name),
            Type = Pick(over?.Type, profile?.Type),
            Basin = Pick(over?.Basin, profile?.Basin),
            Latitude = coordinates.Item1,
            Longitude = coordinates.Item2,
        };

        static string Pick(string? overriding, string? registered) => !string.IsNullOrEmpty(overriding) ? overriding : registered ?? string.Empty;
    }
}
