namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>
/// A rectangular thin-plate weir, fully or partially contracted or suppressed, rated by the
/// Kindsvater–Carter method in its ISO 1438 metric form: Q = Ce·(2/3)·√(2g)·be·he^1.5 with
/// be = b + kb, he = h + kh (kh = 0.001 m), Ce = α + β·h/p, α, β and kb interpolated in b/B.
/// Table and limits: Bos, Discharge Measurement Structures, 3rd ed. (ILRI Publication 20, 1989),
/// section 5.1 (table 5.2, figure 5.6), after ISO 1438/1; USBR Water Measurement Manual 3rd ed.,
/// chapter 7 section 6 gives the same method in feet. docs/references.md "Flow measurement".
/// </summary>
public sealed class RectangularWeir : IStructureRating
{
    private const double Gravity = 9.80665;
    private const double HeadCorrection = 0.001;

    // b/B, α, β, kb (m) at b/B = 0, 0.1, … 1.0.
    private static readonly double[] Alpha = [0.587, 0.588, 0.589, 0.590, 0.591, 0.592, 0.593, 0.595, 0.596, 0.598, 0.602];
    private static readonly double[] Beta = [-0.0023, -0.0021, -0.0018, 0.0020, 0.0058, 0.011, 0.018, 0.030, 0.045, 0.064, 0.075];
    private static readonly double[] WidthCorrection = [0.0024, 0.0024, 0.0024, 0.0025, 0.0027, 0.0030, 0.0036, 0.0041, 0.0042, 0.0030, -0.0009];

    private readonly double _alpha;
    private readonly double _beta;

    private RectangularWeir(double crestWidth, double channelWidth, double crestHeight, double minHead, double maxHead)
    {
        CrestWidth = crestWidth;
        ChannelWidth = channelWidth;
        CrestHeight = crestHeight;
        var ratio = crestWidth / channelWidth;
        _alpha = Interpolate(Alpha, ratio);
        _beta = Interpolate(Beta, ratio);
        Kb = Interpolate(WidthCorrection, ratio);
        MinHead = minHead;
        MaxHead = maxHead;
    }

    public string Describe => $"rectangular weir b={CrestWidth:0.###} m";

    /// <summary>Crest (notch) width b, m.</summary>
    public double CrestWidth { get; }

    /// <summary>Approach channel width B, m.</summary>
    public double ChannelWidth { get; }

    /// <summary>Crest height above the approach channel bed p, m.</summary>
    public double CrestHeight { get; }

    /// <summary>Width correction kb, m, for this b/B.</summary>
    public double Kb { get; }

    public double MinHead { get; }

    public double MaxHead { get; }

    /// <summary>Effective discharge coefficient at head <paramref name="head"/>.</summary>
    public double Ce(double head) => _alpha + (_beta * head / CrestHeight);

    /// <summary>
    /// A weir of the given geometry (m), checked against the method's limits (Bos 1989 §5.1.2:
    /// b ≥ 0.15 m, p ≥ 0.10 m, side clearance (B − b)/2 ≥ 0.10 m unless suppressed, h ≥ 0.03 m, h/p ≤ 2.5).
    /// </summary>
    public static RectangularWeir? Create(double crestWidth, double channelWidth, double crestHeight, double? minHead, double? maxHead, out string? error)
    {
        error = null;
        if (!(crestWidth >= 0.15) || !(crestHeight >= 0.10) || !(channelWidth >= crestWidth))
        {
            error = "a Kindsvater–Carter weir needs crestWidth ≥ 0.15 m, crestHeight ≥ 0.10 m and channelWidth ≥ crestWidth";
            return null;
        }

        if (channelWidth > crestWidth && (channelWidth - crestWidth) / 2 < 0.10)
        {
            error = "a contracted weir needs (channelWidth − crestWidth)/2 ≥ 0.10 m of side clearance; equal widths make a suppressed weir";
            return null;
        }

        var lo = minHead ?? 0.03;
        var hi = maxHead ?? 2.5 * crestHeight;
        if (lo < 0.03 || hi > 2.5 * crestHeight || lo >= hi)
        {
            error = $"the head range of this weir is 0.03–{2.5 * crestHeight:0.###} m (h ≥ 0.03 m, h/p ≤ 2.5); minHead/maxHead may only narrow it";
            return null;
        }

        return new RectangularWeir(crestWidth, channelWidth, crestHeight, lo, hi);
    }

    /// <summary>Free-flow discharge, m³/s, without range checks.</summary>
    public double FreeFlow(double head) =>
        Ce(head) * (2.0 / 3.0) * Math.Sqrt(2 * Gravity) * (CrestWidth + Kb) * Math.Pow(head + HeadCorrection, 1.5);

    public Discharge Rate(double head, double? downstreamHead)
    {
        // Free flow needs an aerated nappe: tailwater at least 0.05 m below the crest (Bos 1989 §5.1.2).
        if (head > 0 && downstreamHead is { } tail && tail > -0.05)
        {
            return Discharge.None(head, RatingQuality.Submerged, $"tailwater {tail:0.###} m relative to the crest: less than 0.05 m below it, the nappe is not free");
        }

        return HeadLimits.Check(this, head, FreeFlow);
    }

    private static double Interpolate(double[] table, double ratio)
    {
        var x = Math.Clamp(ratio, 0, 1) * 10;
        var i = Math.Min((int)x, 9);
        return table[i] + ((table[i + 1] - table[i]) * (x - i));
    }
}
