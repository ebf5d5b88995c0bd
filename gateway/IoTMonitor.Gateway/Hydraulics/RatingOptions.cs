namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>
/// One rating record as configured (appsettings <c>Metering:Sites:{site}:Ratings</c>, docs/config.md
/// "Water metering"). Which keys count depends on <see cref="Kind"/>.
/// </summary>
public sealed class RatingOptions
{
    public string Id { get; set; } = string.Empty;

    /// <summary>Start of validity, Unix seconds.</summary>
    public long At { get; set; }

    /// <summary><c>parshall</c>, <c>rectangular</c>, <c>v-notch</c> or <c>table</c>.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>Stage gauge reading (m) at the structure's datum.</summary>
    public double Zero { get; set; }

    /// <summary>Downstream gauge reading (m) at the same datum; needed for the submergence check.</summary>
    public double? DownstreamZero { get; set; }

    /// <summary>Parshall: throat name ("1in" … "50ft").</summary>
    public string? Throat { get; set; }

    /// <summary>Rectangular weir: crest width b, m.</summary>
    public double? CrestWidth { get; set; }

    /// <summary>Weirs: approach channel width B, m.</summary>
    public double? ChannelWidth { get; set; }

    /// <summary>Weirs: crest height above the approach bed p, m.</summary>
    public double? CrestHeight { get; set; }

    /// <summary>V-notch: notch angle, degrees (default 90).</summary>
    public double? Angle { get; set; }

    /// <summary>Table: [head m, discharge m³/s] points in rising head.</summary>
    public List<List<double>> Points { get; set; } = [];

    /// <summary>Narrow the published head range (m) to what the site's gauge reads reliably.</summary>
    public double? MinHead { get; set; }

    public double? MaxHead { get; set; }

    /// <summary>The record, or null with <paramref name="error"/> naming the problem.</summary>
    public RatingRecord? Build(out string? error)
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Length > RatingRecord.MaxIdLength)
        {
            error = $"id must be 1–{RatingRecord.MaxIdLength} characters";
            return null;
        }

        if (At < 0 || !double.IsFinite(Zero) || DownstreamZero is { } dz && !double.IsFinite(dz))
        {
            error = "at must be Unix seconds ≥ 0 and zero/downstreamZero finite metres";
            return null;
        }

        IStructureRating? structure = Kind switch
        {
            "parshall" => ParshallFlume.Create(Throat ?? string.Empty, MinHead, MaxHead, out error),
            "rectangular" => RectangularWeir.Create(CrestWidth ?? 0, ChannelWidth ?? CrestWidth ?? 0, CrestHeight ?? 0, MinHead, MaxHead, out error),
            "v-notch" => VNotchWeir.Create(Angle ?? 90, CrestHeight ?? 0, ChannelWidth ?? 0, MinHead, MaxHead, out error),
            "table" => StageDischargeTable.Create(Points, out error),
            _ => Unknown(out error),
        };

        return structure is null ? null : new RatingRecord(Id, At, Zero, DownstreamZero, structure);
    }

    private IStructureRating? Unknown(out string? error)
    {
        error = $"kind '{Kind}' is not one of parshall, rectangular, v-notch, table";
        return null;
    }
}
