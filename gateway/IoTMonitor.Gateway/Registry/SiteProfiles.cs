namespace IoTMonitor.Gateway.Registry;

/// <summary>A site with where and what it is (the registry's <c>sites</c> row plus the profile columns).</summary>
public sealed record SiteProfile(string Id, string Name, DateTimeOffset Created, double? Lat, double? Lon, string? Basin, string? Type);

/// <summary>
/// Where and what each site is (latitude/longitude, basin, site type), kept with the sites in the
/// <see cref="IRegistryStore"/>. Checks a profile before it is stored.
/// </summary>
public sealed class SiteProfiles(IRegistryStore store)
{
    /// <summary>Checks a profile; returns the problem, or null when it is fine.</summary>
    public static string? Check(double? lat, double? lon, string? basin, string? type)
    {
        if (lat is { } la && (double.IsNaN(la) || la < -90 || la > 90))
        {
            return "lat must be −90…90";
        }

        if (lon is { } lo && (double.IsNaN(lo) || lo < -180 || lo > 180))
        {
            return "lon must be −180…180";
        }

        if (lat.HasValue != lon.HasValue)
        {
            return "give both lat and lon, or neither";
        }

        if (basin is { Length: > 64 })
        {
            return "basin must be at most 64 characters";
        }

        if (type is not null && !SiteTypes.IsKnown(type))
        {
            return SiteTypes.Problem("type");
        }

        return null;
    }

    public void Set(string site, double? lat, double? lon, string? basin, string? type)
    {
        var problem = Check(lat, lon, basin, type);
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }

        if (!store.SetProfile(site, lat, lon, basin, type))
        {
            throw new ArgumentException($"site '{site}' does not exist");
        }
    }

    public IReadOnlyList<SiteProfile> List() => store.Sites(null);

    public SiteProfile? Find(string id) => store.Sites(id).FirstOrDefault();
}
