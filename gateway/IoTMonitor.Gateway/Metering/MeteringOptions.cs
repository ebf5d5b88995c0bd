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

    /// <summary>Districts by id, each grouping metered sites into channels.</summary>
    public Dictionary<string, District> Districts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Readings further apart than this are not bridged by integration (their seconds are a gap); for a meter, the split of their difference between periods is stated as interpolated.</summary>
    public long MaxGapSeconds { get; set; } = 3600;

    /// <summary>The districts' clock for hour and day periods, minutes east of UTC (China Standard Time: 480).</summary>
    public int UtcOffsetMinutes { get; set; } = 480;

    internal IEnumerable<string> Validate()
    {
        if (MaxGapSeconds is < 60 or > 86400 || UtcOffsetMinutes is < -720 or > 840)
        {
            yield return "Metering:MaxGapSeconds must be 60–86400 and UtcOffsetMinutes −720…840";
        }

        foreach (var (id, district) in Districts)
        {
            if (district.Channels.Count == 0)
            {
                yield return $"Metering:Districts:{id}: Channels must hold at least one channel";
            }

            foreach (var (channel, c) in district.Channels)
            {
                if (c.Sites.Count == 0)
                {
                    yield return $"Metering:Districts:{id}:Channels:{channel}: Sites must name at least one metered site";
                }

                foreach (var site in c.Sites.Where(s => !Sites.ContainsKey(s)))
                {
                    yield return $"Metering:Districts:{id}:Channels:{channel}: site '{site}' is not under Metering:Sites";
                }
            }
        }

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
        Sites.Where(s => s.Value.Source == "stage").ToDictionary(s => s.Key, s => new SiteRatings(s.Value.Ratings.Select(r => r.Build(out _)!)), StringComparer.Ordinal);
}

/// <summary>An irrigation district: its channels, each measured at one or more metered sites.</summary>
public sealed class District
{
    public string Name { get; set; } = string.Empty;

    public Dictionary<string, Channel> Channels { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A channel (canal, lateral, turnout) whose delivered volume is the sum of its sites'.</summary>
public sealed class Channel
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The metered sites whose volumes make the channel's (e.g. the turnouts it feeds).</summary>
    public List<string> Sites { get; set; } = [];
}

/// <summary>One metered site: a rated structure (its stage device and rating records) or a flow meter.</summary>
public sealed class MeteredSite
{
    /// <summary><c>stage</c>: <c>water.level</c> rated by the site's records; <c>meter</c>: the device's <c>flow.total</c> differenced.</summary>
    public string Source { get; set; } = "stage";

    /// <summary>The device whose <c>water.level</c> is the stage at the structure's gauge; empty = the site's only level device.</summary>
    public string Device { get; set; } = string.Empty;

    /// <summary>The device whose <c>water.level</c> is the downstream (throat or tailwater) stage; empty = not measured, no submergence check.</summary>
    public string DownstreamDevice { get; set; } = string.Empty;

    /// <summary>Rating records, each in force from its <c>at</c>.</summary>
    public List<RatingOptions> Ratings { get; set; } = [];

    internal IEnumerable<string> Validate()
    {
        if (Source == "meter")
        {
            if (Ratings.Count > 0)
            {
                yield return "a meter site (Source meter) has no Ratings";
            }

            yield break;
        }

        if (Source != "stage")
        {
            yield return $"Source must be stage or meter (got '{Source}')";
        }

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
