using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTMonitor.Firmware.Host.Fleet;

/// <summary>
/// One site of the demo fleet (Fleet/sites.json). Coordinates are approximate. <see cref="Type"/> is the
/// node type placed there (water, soil, air); <see cref="SiteType"/> is the gateway's site-type
/// vocabulary (river, lake, canal, irrigation_district, …: docs/api.md) that alert rules scope by.
/// </summary>
public sealed record SiteInfo(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("basin")] string Basin,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("lat")] double Lat,
    [property: JsonPropertyName("lon")] double Lon,
    [property: JsonPropertyName("alt")] double Alt,
    [property: JsonPropertyName("siteType")] string SiteType);

/// <summary>The site list the simulator reads: the embedded Fleet/sites.json, or a file of the same shape.</summary>
public static class SiteCatalog
{
    private sealed record Document([property: JsonPropertyName("sites")] List<SiteInfo> Sites);

    /// <summary>The built-in list (38 sites in western basins and irrigation districts).</summary>
    public static IReadOnlyList<SiteInfo> BuiltIn()
    {
        using var s = typeof(SiteCatalog).Assembly.GetManifestResourceStream("IoTMonitor.Firmware.Host.Fleet.sites.json")
            ?? throw new InvalidOperationException("sites.json is not embedded in the Host assembly");
        return Parse(s);
    }

    public static IReadOnlyList<SiteInfo> Load(string path)
    {
        using var s = File.OpenRead(path);
        return Parse(s);
    }

    private static IReadOnlyList<SiteInfo> Parse(Stream s)
    {
        var doc = JsonSerializer.Deserialize<Document>(s) ?? throw new InvalidDataException("sites file is empty");
        foreach (var site in doc.Sites)
        {
            if (site.Type is not ("water" or "soil" or "air"))
            {
                throw new InvalidDataException($"site '{site.Id}': type must be water, soil or air");
            }

            if (string.IsNullOrEmpty(site.SiteType))
            {
                throw new InvalidDataException($"site '{site.Id}': siteType is required (e.g. river, lake, canal, irrigation_district, air_basin)");
            }
        }

        return doc.Sites;
    }

    /// <summary>
    /// Picks <paramref name="devices"/> (site, device id) pairs for <paramref name="profile"/>
    /// (water, soil, air or mix), one device per site round-robin, then a second per site, and so on.
    /// </summary>
    public static IReadOnlyList<(SiteInfo Site, string Device)> Plan(IReadOnlyList<SiteInfo> sites, string profile, int devices)
    {
        var pool = profile == "mix" ? sites.ToList() : sites.Where(s => s.Type == profile).ToList();
        if (pool.Count == 0)
        {
            throw new ArgumentException($"no site of type '{profile}' in the site list");
        }

        var plan = new List<(SiteInfo, string)>(devices);
        for (var i = 0; i < devices; i++)
        {
            var site = pool[i % pool.Count];
            var n = (i / pool.Count) + 1;
            var device = DeviceId(site.Id, n);
            plan.Add((site, device));
        }

        return plan;
    }

    /// <summary>Device id "{site}-n{k}", trimmed to the 32 characters protocol §1 allows.</summary>
    public static string DeviceId(string site, int n)
    {
        var suffix = "-n" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var head = site.Length + suffix.Length > 32 ? site[..(32 - suffix.Length)] : site;
        return head + suffix;
    }
}
