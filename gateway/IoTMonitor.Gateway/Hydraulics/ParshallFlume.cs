namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>
/// A standard Parshall flume in free flow: Q = C·Ha^n with Ha the head at the converging section's gauge.
/// Coefficients, exponents and transition submergences are the published free-flow equations in
/// English units (USBR Water Measurement Manual, 3rd ed. 1997/2001, chapter 8 "Parshall flumes";
/// the same equations ISO 9826:1992 and ASTM D1941 tabulate), evaluated in feet and converted
/// exactly (1 ft = 0.3048 m) so they give the published figures. Head ranges: Bos, Discharge
/// Measurement Structures, 3rd ed. (ILRI Publication 20, 1989), table 7.3. docs/references.md "Flow measurement".
/// </summary>
public sealed class ParshallFlume : IStructureRating
{
    private const double FootInMetres = 0.3048;
    private const double CubicFootInCubicMetres = 0.028316846592;

    private static readonly Size[] Sizes =
    [
        new("1in", 0.0254, 0.338, 1.55, 0.50, 0.015, 0.21),
        new("2in", 0.0508, 0.676, 1.55, 0.50, 0.015, 0.24),
        new("3in", 0.0762, 0.992, 1.55, 0.50, 0.03, 0.33),
        new("6in", 0.1524, 2.06, 1.58, 0.60, 0.03, 0.45),
        new("9in", 0.2286, 3.07, 1.53, 0.60, 0.03, 0.61),
        new("1ft", 0.3048, 4.00, 1.522, 0.70, 0.03, 0.76),
        new("1.5ft", 0.4572, 6.00, 1.538, 0.70, 0.03, 0.76),
        new("2ft", 0.6096, 8.00, 1.550, 0.70, 0.046, 0.76),
        new("3ft", 0.9144, 12.00, 1.566, 0.70, 0.046, 0.76),
        new("4ft", 1.2192, 16.00, 1.578, 0.70, 0.06, 0.76),
        new("5ft", 1.524, 20.00, 1.587, 0.70, 0.06, 0.76),
        new("6ft", 1.8288, 24.00, 1.595, 0.70, 0.076, 0.76),
        new("7ft", 2.1336, 28.00, 1.601, 0.70, 0.076, 0.76),
        new("8ft", 2.4384, 32.00, 1.607, 0.70, 0.076, 0.76),
        Large("10ft", 10, 1.07),
        Large("12ft", 12, 1.37),
        Large("15ft", 15, 1.67),
        Large("20ft", 20, 1.83),
        Large("25ft", 25, 1.83),
        Large("30ft", 30, 1.83),
        Large("40ft", 40, 1.83),
        Large("50ft", 50, 1.83),
    ];

    private readonly Size _size;

    private ParshallFlume(Size size, double minHead, double maxHead)
    {
        _size = size;
        MinHead = minHead;
        MaxHead = maxHead;
    }

    /// <summary>The throat names accepted in config ("1in" … "9in", "1ft" … "50ft").</summary>
    public static IEnumerable<string> ThroatNames => Sizes.Select(s => s.Name);

    public string Describe => $"parshall {_size.Name}";

    public double MinHead { get; }

    public double MaxHead { get; }

    /// <summary>Throat width, m.</summary>
    public double ThroatWidth => _size.Width;

    /// <summary>Free-flow coefficient in the English form (ft³/s for Ha in ft).</summary>
    public double CoefficientEnglish => _size.C;

    /// <summary>Free-flow exponent n.</summary>
    public double Exponent => _size.N;

    /// <summary>Transition submergence Hb/Ha above which free flow no longer holds.</summary>
    public double TransitionSubmergence => _size.St;

    /// <summary>
    /// The flume of a standard throat; a site may narrow (never widen) the head range, e.g. to its
    /// gauge's reliable span. Null with <paramref name="error"/> for an unknown throat or bad range.
    /// </summary>
    public static ParshallFlume? Create(string throat, double? minHead, double? maxHead, out string? error)
    {
        error = null;
        var size = Sizes.FirstOrDefault(s => string.Equals(s.Name, throat, StringComparison.Ordinal));
        if (size is null)
        {
            error = $"unknown Parshall throat '{throat}' (one of {string.Join(", ", ThroatNames)})";
            return null;
        }

        var lo = minHead ?? size.MinHead;
        var hi = maxHead ?? size.MaxHead;
        if (lo < size.MinHead || hi > size.MaxHead || lo >= hi)
        {
            error = $"the head range of a {size.Name} Parshall flume is {size.MinHead}–{size.MaxHead} m (Bos 1989 table 7.3); minHead/maxHead may only narrow it";
            return null;
        }

        return new ParshallFlume(size, lo, hi);
    }

    /// <summary>Free-flow discharge for head <paramref name="head"/> in m, in m³/s, without range checks.</summary>
    public double FreeFlow(double head) => _size.C * Math.Pow(head / FootInMetres, _size.N) * CubicFootInCubicMetres;

    public Discharge Rate(double head, double? downstreamHead)
    {
        if (head > 0 && downstreamHead is { } hb && hb / head > _size.St)
        {
            // The submerged-flow correction needs the throat gauge's own calibration: refusing is honest, guessing is not.
            return Discharge.None(head, RatingQuality.Submerged, $"submergence Hb/Ha {hb / head:0.00} above the {_size.Name} flume's free-flow limit {_size.St:0.00}");
        }

        return HeadLimits.Check(this, head, FreeFlow);
    }

    // Throats of 10–50 ft: Q = (3.6875·W + 2.5)·Ha^1.6, transition submergence 0.8, lowest head 0.09 m.
    private static Size Large(string name, int feet, double maxHead) =>
        new(name, feet * FootInMetres, (3.6875 * feet) + 2.5, 1.6, 0.80, 0.09, maxHead);

    private sealed record Size(string Name, double Width, double C, double N, double St, double MinHead, double MaxHead);
}
