namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>
/// A storm's rainfall over time from its start: the cumulative depth (what a gauge counts) and the
/// intensity. Two kinds: a design storm from an intensity–duration–frequency formula
/// (<see cref="ChicagoStorm"/>) and a recorded-style series of fixed-interval depths
/// (<see cref="RecordedStorm"/>).
/// </summary>
public interface IHyetograph
{
    /// <summary>Storm length, seconds.</summary>
    double DurationSec { get; }

    /// <summary>Rain fallen from the start to <paramref name="sec"/> after it, mm (0 before, the total after the end).</summary>
    double DepthMm(double sec);

    /// <summary>Intensity at <paramref name="sec"/> after the start, mm/h.</summary>
    double IntensityMmPerHour(double sec);
}
