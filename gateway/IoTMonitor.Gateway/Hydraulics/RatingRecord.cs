namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>
/// One version of a site's rating, versioned as calibration records are (docs/config.md
/// "sensors[].calibration"): an <see cref="Id"/> of at most 32 characters and the time
/// <see cref="At"/> from which it holds. A reading is rated by the record in force at its sampling
/// time, so a corrected record re-rates the readings from its <see cref="At"/> on and leaves earlier
/// ones as they were.
/// </summary>
/// <param name="Id">Record id (e.g. "rating-20260401"), named next to every derived flow.</param>
/// <param name="At">Start of validity, Unix seconds.</param>
/// <param name="Zero">The stage gauge's reading (m) with the water at the structure's datum (crest, flume floor, table zero).</param>
/// <param name="DownstreamZero">The downstream (throat or tailwater) gauge's reading at the same datum, when the site has one.</param>
/// <param name="Structure">The head → discharge rating.</param>
public sealed record RatingRecord(string Id, long At, double Zero, double? DownstreamZero, IStructureRating Structure)
{
    /// <summary>Longest record id (the protocol's <c>cal</c> length, docs/protocol.md §4).</summary>
    public const int MaxIdLength = 32;

    /// <summary>Discharge for a gauge <paramref name="stage"/> (m), and the downstream gauge's stage when measured.</summary>
    public Discharge Rate(double stage, double? downstreamStage)
    {
        double? downstreamHead = downstreamStage is { } d && DownstreamZero is { } z ? d - z : null;
        return Structure.Rate(stage - Zero, downstreamHead);
    }
}
