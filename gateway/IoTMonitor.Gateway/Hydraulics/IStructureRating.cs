namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>
/// Head → discharge for one measuring structure (a Parshall flume, a thin-plate weir, a site's rating
/// table). Heads are metres above the structure's own datum (crest, flume floor, table zero); the
/// <see cref="RatingRecord"/> turns the gauge's stage into this head.
/// </summary>
public interface IStructureRating
{
    /// <summary>Short name of the rating for logs and the API ("parshall 2 ft", "v-notch 90°").</summary>
    string Describe { get; }

    /// <summary>Lowest head the rating's published coefficients hold for, m.</summary>
    double MinHead { get; }

    /// <summary>Highest head the rating's published coefficients hold for, m.</summary>
    double MaxHead { get; }

    /// <summary>
    /// The discharge at <paramref name="head"/>; <paramref name="downstreamHead"/> (same datum) is the
    /// tailwater or throat head where the site measures one, for the submergence check.
    /// </summary>
    Discharge Rate(double head, double? downstreamHead);
}
