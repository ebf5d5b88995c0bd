namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>
/// A fully contracted V-notch thin-plate weir of notch angle 25–100°, rated by Kindsvater–Shen:
/// Q = Ce·(8/15)·√(2g)·tan(θ/2)·(h + kh)^2.5. Ce(θ) and kh(θ) are the curves of USBR Water
/// Measurement Manual 3rd ed., chapter 7 section 7, figure 7-6a/b (Kulin and Compton 1975), taken as
/// polynomial fits (docs/references.md "Flow measurement"); at 90° they give Ce 0.578 and kh 0.85 mm,
/// ISO 1438's figures. Full contraction limits: Bos 1989 §5.2 (h ≥ 0.05 m, h ≤ 0.38 m, h/p ≤ 0.4,
/// h/B ≤ 0.2, p ≥ 0.45 m, B ≥ 0.90 m).
/// </summary>
public sealed class VNotchWeir : IStructureRating
{
    private const double Gravity = 9.80665;
    private const double FootInMetres = 0.3048;

    private VNotchWeir(double angleDegrees, double minHead, double maxHead)
    {
        AngleDegrees = angleDegrees;
        var t = angleDegrees;
        Ce = 0.607165052 - (0.000874466963 * t) + (6.10393334e-6 * t * t);
        Kh = (0.0144902648 - (0.00033955535 * t) + (3.29819003e-6 * t * t) - (1.06215442e-8 * t * t * t)) * FootInMetres;
        MinHead = minHead;
        MaxHead = maxHead;
    }

    public string Describe => $"v-notch {AngleDegrees:0.#}°";

    /// <summary>Notch angle θ, degrees.</summary>
    public double AngleDegrees { get; }

    /// <summary>Effective discharge coefficient for this angle.</summary>
    public double Ce { get; }

    /// <summary>Head correction kh, m, for this angle.</summary>
    public double Kh { get; }

    public double MinHead { get; }

    public double MaxHead { get; }

    /// <summary>A notch of <paramref name="angleDegrees"/> in a pool of crest height p and width B (m), checked for full contraction.</summary>
    public static VNotchWeir? Create(double angleDegrees, double crestHeight, double channelWidth, double? minHead, double? maxHead, out string? error)
    {
        error = null;
        if (!(angleDegrees >= 25 && angleDegrees <= 100))
        {
            error = "Kindsvater–Shen holds for notch angles of 25–100° (USBR WMM ch. 7 §7)";
            return null;
        }

        if (!(crestHeight >= 0.45) || !(channelWidth >= 0.90))
        {
            error = "a fully contracted V-notch needs crestHeight ≥ 0.45 m and channelWidth ≥ 0.90 m (Bos 1989 §5.2); partially contracted notches are not rated here";
            return null;
        }

        var top = Math.Min(0.38, Math.Min(0.4 * crestHeight, 0.2 * channelWidth));
        var lo = minHead ?? 0.05;
        var hi = maxHead ?? top;
        if (lo < 0.05 || hi > top || lo >= hi)
        {
            error = $"the head range of this notch is 0.05–{top:0.###} m (h ≤ 0.38 m, h/p ≤ 0.4, h/B ≤ 0.2); minHead/maxHead may only narrow it";
            return null;
        }

        return new VNotchWeir(angleDegrees, lo, hi);
    }

    /// <summary>Free-flow discharge, m³/s, without range checks.</summary>
    public double FreeFlow(double head) =>
        Ce * (8.0 / 15.0) * Math.Sqrt(2 * Gravity) * Math.Tan(AngleDegrees * Math.PI / 360) * Math.Pow(head + Kh, 2.5);

    public Discharge Rate(double head, double? downstreamHead)
    {
        // USBR WMM ch. 7 §7 (b): the tailwater stays at least 0.2 ft (0.06 m) below the notch.
        if (head > 0 && downstreamHead is { } tail && tail > -0.06)
        {
            return Discharge.None(head, RatingQuality.Submerged, $"tailwater {tail:0.###} m relative to the notch: less than 0.06 m below it, the nappe is not free");
        }

        return HeadLimits.Check(this, head, FreeFlow);
    }
}
