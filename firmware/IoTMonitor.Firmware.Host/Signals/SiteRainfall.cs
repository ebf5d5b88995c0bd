namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>
/// The rain falling on a virtual site (its <see cref="SiteEnvironment"/>: background rain events and
/// a replayed storm) as an <see cref="IRainSignal"/> counted from <paramref name="originUtc"/>, so the
/// site's tipping bucket tips on exactly the depth the storm's sums are computed from.
/// </summary>
public sealed class SiteRainfall(SiteEnvironment env, long originUtc) : IRainSignal
{
    public double CumulativeMm(long utc) => utc <= originUtc ? 0 : env.RainDepthMm(originUtc, utc);
}
