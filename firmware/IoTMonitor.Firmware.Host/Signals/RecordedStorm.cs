namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>
/// A recorded-style storm: rain depths per fixed interval (as a gauge's 5-minute table lists them),
/// uniform within each interval.
/// </summary>
public sealed class RecordedStorm : IHyetograph
{
    private readonly double[] _cumulative;

    public RecordedStorm(double intervalMin, IReadOnlyList<double> depthsMm)
    {
        if (intervalMin <= 0 || depthsMm.Count == 0 || depthsMm.Any(d => d < 0 || double.IsNaN(d)))
        {
            throw new ArgumentException("recorded storm: interval > 0 and at least one depth ≥ 0");
        }

        IntervalMin = intervalMin;
        Depths = depthsMm.ToArray();
        _cumulative = new double[Depths.Length + 1];
        for (var i = 0; i < Depths.Length; i++)
        {
            _cumulative[i + 1] = _cumulative[i] + Depths[i];
        }
    }

    public double IntervalMin { get; }

    public double[] Depths { get; }

    public double DurationSec => IntervalMin * 60 * Depths.Length;

    public double DepthMm(double sec)
    {
        if (sec <= 0)
        {
            return 0;
        }

        var x = sec / (IntervalMin * 60);
        var i = (int)Math.Floor(x);
        return i >= Depths.Length ? _cumulative[^1] : _cumulative[i] + (Depths[i] * (x - i));
    }

    public double IntensityMmPerHour(double sec)
    {
        var i = (int)Math.Floor(sec / (IntervalMin * 60));
        return sec < 0 || i >= Depths.Length ? 0 : Depths[i] * 60 / IntervalMin;
    }

    /// <summary>
    /// A front-loaded 3-hour convective storm of 120 mm in 5-minute depths, shaped like the short
    /// mountain storms behind flash floods (a few minutes of light rain, a 30-minute burst, a long tail).
    /// Synthetic, not a measurement of any gauge.
    /// </summary>
    public static RecordedStorm ConvectiveBurst() => new(5,
    [
        0.4, 0.8, 1.2, 2.0, 3.5, 6.0, 9.5, 12.0, 11.0, 9.0, 7.5, 6.5,
        5.5, 5.0, 4.5, 4.0, 3.5, 3.2, 3.0, 2.8, 2.5, 2.2, 2.0, 1.8,
        1.6, 1.4, 1.2, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.3,
    ]);
}
