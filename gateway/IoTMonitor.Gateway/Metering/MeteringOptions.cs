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

    /// <summary>How often the channels' allocations and scheduled deliveries are checked for the alert rules (<c>allocation</c>, <c>no_flow</c>).</summary>
    public int AlertCheckSeconds { get; set; } = 300;

    internal IEnumerable<string> Validate()
    {
        if (MaxGapSeconds is < 60 or > 86400 || UtcOffsetMinutes is < -720 or > 840)
        {
            yield return "Metering:MaxGapSeconds must be 60–86400 and UtcOffsetMinutes −720…840";
        }

        if (AlertCheckSeconds is < 1 or > 3600)
        {
            yield return "Metering:AlertCheckSeconds must be 1–3600";
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

                foreach (var problem in c.ValidateSchedule())
                {
                    yield return $"Metering:Districts:{id}:Channels:{channel}: {problem}";
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

    /// <summary>The volumes allocated to the channel, each for its own period (a season, a month, an irrigation round); periods may overlap.</summary>
    public List<Allocation> Allocations { get; set; } = [];

    /// <summary>The deliveries scheduled on the channel (the rotation's turns): water should flow from <c>From</c> to <c>To</c>.</summary>
    public List<Delivery> Deliveries { get; set; } = [];

    internal IEnumerable<string> ValidateSchedule()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Allocations.Count; i++)
        {
            var a = Allocations[i];
            if (string.IsNullOrWhiteSpace(a.Id) || a.Id.Length > 32 || !ids.Add(a.Id))
            {
                yield return $"Allocations[{i}]: Id must be 1–32 characters and unique in the channel";
            }

            if (a.From < 0 || a.To <= a.From || !(a.Volume > 0) || !double.IsFinite(a.Volume))
            {
                yield return $"Allocations[{i}]: From < To (Unix seconds) and Volume > 0 m³";
            }
        }

        for (var i = 0; i < Deliveries.Count; i++)
        {
            var d = Deliveries[i];
            if (d.From < 0 || d.To <= d.From || d.MinFlow is { } q && !(q > 0 && double.IsFinite(q)))
            {
                yield return $"Deliveries[{i}]: From < To (Unix seconds) and MinFlow, when set, > 0 m³/s";
            }
        }
    }
}

/// <summary>A volume allocated to a channel for the period [<see cref="From"/>, <see cref="To"/>).</summary>
public sealed class Allocation
{
    /// <summary>Names the allocation in alerts ("2026-spring", "round-3").</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>Start, Unix seconds (inclusive).</summary>
    public long From { get; set; }

    /// <summary>End, Unix seconds (exclusive).</summary>
    public long To { get; set; }

    /// <summary>Allocated volume, m³.</summary>
    public double Volume { get; set; }
}

/// <summary>A delivery scheduled on a channel: water should flow during [<see cref="From"/>, <see cref="To"/>).</summary>
public sealed class Delivery
{
    public long From { get; set; }

    public long To { get; set; }

    /// <summary>The least flow (m³/s) that counts as delivering; empty = the <c>no_flow</c> rule's <c>below</c>.</summary>
    public double? MinFlow { get; set; }
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

    /// <summary>Meter: the count (m³) at which the totaliser's register rolls over to 0 (e.g. 100000 for a 5-digit register); a fall from its upper half to its lower half is then a wrap, counted exactly. Empty: every fall is a reset.</summary>
    public double? Rollover { get; set; }

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

            if (Rollover is { } r && !(r > 0 && double.IsFinite(r)))
            {
                yield return "Rollover must be > 0 m³ (the count at which the totaliser wraps to 0)";
            }

            yield break;
        }

        if (Rollover is not null)
        {
            yield return "Rollover is for meter sites (Source meter) only";
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
