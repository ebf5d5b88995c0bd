using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Alerts.Engine;

/// <summary>
/// Where each site is, read once per group: a burst from one site costs one registry read, and a
/// changed profile applies from the next group. Not thread-safe: used under the engine's lock.
/// </summary>
internal sealed class GroupSites(SiteInfoLookup lookup)
{
    private readonly Dictionary<string, SiteInfo?> _sites = new(StringComparer.Ordinal);

    public SiteInfo? Of(string site)
    {
        if (!_sites.TryGetValue(site, out var info))
        {
            info = lookup.Find(site);
            _sites[site] = info;
        }

        return info;
    }

    public void BeginGroup() => _sites.Clear();
}
