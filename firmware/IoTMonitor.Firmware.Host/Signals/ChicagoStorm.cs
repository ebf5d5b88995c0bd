namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>
/// Chicago design storm (Keifer and Chu, 1957, "Synthetic storm pattern for drainage design"):
/// from an IDF formula for the mean intensity over a duration T (minutes),
/// i̅(T) = a / (T + b)^c mm/h, the hyetograph keeps for every duration the IDF depth around the
/// peak, with the peak at r × duration. Depth over the T minutes around the peak is
/// F(T) = i̅(T)·T/60 mm; before the peak the depth within t_b minutes is r·F(t_b / r), after it
/// (1 − r)·F(t_a / (1 − r)); the instantaneous intensity is F′, i(T) = a·((1 − c)·T + b) / (T + b)^(1 + c).
/// </summary>
public sealed class ChicagoStorm : IHyetograph
{
    /// <param name="a">IDF coefficient, mm/h·min^c.</param>
    /// <param name="b">IDF time offset, minutes.</param>
    /// <param name="c">IDF exponent.</param>
    /// <param name="r">Peak position as a share of the duration (0 &lt; r &lt; 1).</param>
    /// <param name="durationMin">Storm length, minutes.</param>
    public ChicagoStorm(double a, double b, double c, double r, double durationMin)
    {
        if (a <= 0 || b <= 0 || c is <= 0 or >= 1 || r is <= 0 or >= 1 || durationMin <= 0)
        {
            throw new ArgumentException("Chicago storm: a > 0, b > 0, 0 < c < 1, 0 < r < 1, duration > 0");
        }

        (A, B, C, R, DurationMin) = (a, b, c, r, durationMin);
    }

    public double A { get; }

    public double B { get; }

    public double C { get; }

    public double R { get; }

    public double DurationMin { get; }

    public double DurationSec => DurationMin * 60;

    /// <summary>The IDF depth over <paramref name="minutes"/>, mm.</summary>
    public double IdfDepthMm(double minutes) => minutes <= 0 ? 0 : A * minutes / Math.Pow(minutes + B, C) / 60;

    public double DepthMm(double sec)
    {
        var t = Math.Clamp(sec / 60, 0, DurationMin);
        var peak = R * DurationMin;
        return t <= peak
            ? (R * IdfDepthMm(DurationMin)) - (R * IdfDepthMm((peak - t) / R))
            : (R * IdfDepthMm(DurationMin)) + ((1 - R) * IdfDepthMm((t - peak) / (1 - R)));
    }

    public double IntensityMmPerHour(double sec)
    {
        var t = sec / 60;
        if (t < 0 || t > DurationMin)
        {
            return 0;
        }

        var peak = R * DurationMin;
        var T = t <= peak ? (peak - t) / R : (t - peak) / (1 - R);
        return A * (((1 - C) * T) + B) / Math.Pow(T + B, 1 + C);
    }
}
