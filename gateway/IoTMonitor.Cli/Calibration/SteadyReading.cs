namespace IoTMonitor.Cli.Calibration;

/// <summary>
/// Decides when a probe in a standard has settled: the last <c>count</c> raw values lie within
/// <c>tolerance</c> of each other. A reading taken while the probe was still being moved, or still
/// equilibrating, breaks the run and the window slides on.
/// </summary>
public sealed class SteadyReading(int count, double tolerance)
{
    private readonly List<double> _window = [];

    public IReadOnlyList<double> Window => _window;

    /// <summary>Adds a raw value; true once the last <c>count</c> agree.</summary>
    public bool Add(double raw)
    {
        _window.Add(raw);
        if (_window.Count > count)
        {
            _window.RemoveAt(0);
        }

        return _window.Count == count && _window.Max() - _window.Min() <= tolerance;
    }

    /// <summary>The median of the settled window: what the step captures.</summary>
    public double Median()
    {
        var sorted = _window.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
