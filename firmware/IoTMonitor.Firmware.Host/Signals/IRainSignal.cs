namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>
/// Rain falling on a virtual site: the rainfall accumulated from an arbitrary origin up to a time, in
/// mm, never decreasing. A design storm (a hyetograph), a replayed recorded series or
/// <see cref="SteadyRain"/> implement it; the virtual tipping bucket (Sensors/SimulatedTippingBucket)
/// tips once per bucket of it.
/// </summary>
public interface IRainSignal
{
    /// <summary>Rain accumulated up to <paramref name="utc"/> (epoch seconds), mm.</summary>
    double CumulativeMm(long utc);
}

/// <summary>Rain at a constant intensity between two times (none outside them).</summary>
public sealed class SteadyRain(long startUtc, long endUtc, double mmPerHour) : IRainSignal
{
    public double CumulativeMm(long utc)
    {
        long until = Math.Min(Math.Max(utc, startUtc), endUtc);
        return (until - startUtc) * mmPerHour / 3600.0;
    }
}
