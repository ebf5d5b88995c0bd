using IoTMonitor.Gateway.Hydraulics;

namespace IoTMonitor.Gateway.Metering;

/// <summary>
/// Water metering (appsettings <c>Metering</c>, docs/config.md "Water metering"): the measuring
/// structure of each metered site and its rating records.
/// </summary>
public sealed class MeteringOptions
{
    public const string Section = "Metering";

    /// <summary>Metered sites by site id.</summary>
    public Dictionary<string, MeteredSite> Sites { get; set; } = new(StringComparer.Ordinal);

    internal IEnumerable<string> Validate()
    {
        foreach (var (id, site) in Sites)
        {
            foreach (var problem in site.Validate())
            {
                yield return $"Metering:Sites:{id}: {problem}";
            }
        }
    }

    /// <summary>The rating records of every site, built; call after <see cref="Validate"/> found nothing.</summary>
    public Dictionary<string, SiteRatings> BuildRatings() =>
        Sites.ToDictionary(s => s.Key, s => new SiteRatings(s.Value.Ratings.Select(r => r.Build(out _)!)), StringComparer.Ordinal);
}

/// <summary>One metered site: which device's stage is rated, and the rating records.</summary>
public sealed class MeteredSite
{
    /// <summary>The device whose <c>water.level</c> is the stage at the structure's gauge; empty = the site's only level device.</summary>
    public string Device { get; set; } = string.Empty;

    /// <summary>The device whose <c>water.level</c> is the downstream (throat or tailwater) stage; empty = not measured, no submergence check.</summary>
    public string DownstreamDevice { get; set; } = string.Empty;

    /// <summary>Rating records, each in force from its <c>at</c>.</summary>
    public List<RatingOptions> Ratings { get; set; } = [];

    internal IEnumerable<string> Validate()
    {
        if (Ratings.Count == 0)
        {
            yield return "Ratings must hold at least one record";
        }

        var starts = new Dictionary<long, string>();
        for (var i = 0; i < Ratings.Count; i++)
        {
            if (Ratings[i].Build(out var error) is null)
            {
                yield return $"Ratings[{i}]: {error}";
            }
            else if (!starts.TryAdd(Ratings[i].At, Ratings[i].Id))
            {
                yield return $"Ratings[{i}]: '{Ratings[i].Id}' starts at {Ratings[i].At} like '{starts[Ratings[i].At]}': which holds cannot be known";
            }

            if (Ratings[i].DownstreamZero is not null && string.IsNullOrEmpty(DownstreamDevice))
            {
                yield return $"Ratings[{i}]: downstreamZero is set but the site names no DownstreamDevice";
            }
        }
    }
}
